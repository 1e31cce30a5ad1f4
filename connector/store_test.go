package connector

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDeadLetterReplay: a run that failed is a dead letter until its
// owner replays it; the replay keeps the idempotency keys of the first
// run, and no record holds the secret.
func TestDeadLetterReplay(t *testing.T) {
	t.Parallel()
	rc := newReceiver(t, "127.0.0.1")
	broken := true
	rc.answer = func(_ int, w http.ResponseWriter, r *http.Request) {
		if broken {
			http.Error(w, "no such hook", http.StatusNotFound)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
	c := mustParse(t, `
trigger:
  http:
    path: /orders
    input: {properties: {order: {type: integer}}}
steps:
  - id: forward
    webhook.send: {url: "`+rc.URL+`/orders", body: {order: "${{ request.body.order }}"}}
`, app(integration("erp", "127.0.0.1", "ERP_SECRET")))
	store := &DirStore{Dir: t.TempDir()}
	ids := []string{"0190a000-0000-7000-8000-000000000001", "0190a000-0000-7000-8000-000000000002"}
	e, err := NewEngine(c, fastOptions(Options{Secrets: secrets(map[string]string{"ERP_SECRET": "erp-signing-secret"}), Store: store,
		NewID: func() string { id := ids[0]; ids = ids[1:]; return id }}))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	first := e.Run(ctx, jsonEvent("/orders", map[string]any{"order": 42}))
	if first.Status != RunFailed || !strings.Contains(first.Error, "127.0.0.1 answered 404 Not Found: no such hook") {
		t.Fatalf("first run: %s %s", first.Status, first.Error)
	}
	dead, err := store.FindRuns(ctx, RunFilter{Dead: true})
	if err != nil || len(dead) != 1 || dead[0].ID != first.ID {
		t.Fatalf("dead letters = %v, %v", dead, err)
	}
	broken = false
	second, err := e.Replay(ctx, first.ID)
	if err != nil || second.Status != RunOK || second.ReplayOf != first.ID || second.Origin != first.ID {
		t.Fatalf("replay: %+v, %v", second, err)
	}
	got := rc.got()
	if got[0].Header.Get("Idempotency-Key") != got[len(got)-1].Header.Get("Idempotency-Key") {
		t.Error("the replay does not keep the first run's idempotency key")
	}
	var body map[string]any
	json.Unmarshal(got[len(got)-1].Body, &body)
	if body["order"] != float64(42) {
		t.Errorf("the replay sent %v", body)
	}
	if dead, _ := store.FindRuns(ctx, RunFilter{Dead: true}); len(dead) != 0 {
		t.Errorf("dead letters after the replay: %v", dead)
	}
	old, _ := store.FindRun(ctx, first.ID)
	if old.ReplayedBy != second.ID {
		t.Errorf("the first run is not marked as replayed: %+v", old)
	}
	all, _ := store.FindRuns(ctx, RunFilter{})
	if len(all) != 2 || all[0].ID != second.ID {
		t.Errorf("runs, newest first: %v", all)
	}
	files, _ := filepath.Glob(filepath.Join(store.Dir, "*"))
	for _, f := range files {
		data, _ := os.ReadFile(f)
		if strings.Contains(string(data), "erp-signing-secret") {
			t.Errorf("%s holds the secret", f)
		}
	}
	if _, err := store.FindRun(ctx, "../../etc/passwd"); err == nil {
		t.Error("FindRun accepted a path")
	}
}

// TestStoreKeepsDeadLetters: pruning keeps the newest runs and every dead
// letter.
func TestStoreKeepsDeadLetters(t *testing.T) {
	t.Parallel()
	s := &DirStore{Dir: t.TempDir(), Keep: 2}
	ctx := context.Background()
	for i, status := range []RunStatus{RunFailed, RunOK, RunOK, RunOK} {
		if err := s.SaveRun(ctx, &Run{ID: "0190a000-0000-7000-8000-00000000000" + string(rune('1'+i)), Status: status}); err != nil {
			t.Fatal(err)
		}
	}
	runs, _ := s.FindRuns(ctx, RunFilter{})
	var ids []string
	for _, r := range runs {
		ids = append(ids, r.ID[len(r.ID)-1:]+string(r.Status))
	}
	if strings.Join(ids, " ") != "4ok 3ok 1failed" {
		t.Errorf("kept %v", ids)
	}
}
