package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

var devURL = regexp.MustCompile(`is running at (http://\S+)/contact \(POST\)`)

// TestDevEndToEnd is the second promise: `runway dev` serves the
// connector; a real HTTP request triggers it; a Slack-compatible receiver
// on loopback gets the message; a step aiming at an undeclared host is
// refused at run time with the reason; a failed run is a dead letter that
// `runway connector replay` runs again; and the secret's value is in no
// log, run record or answer.
func TestDevEndToEnd(t *testing.T) {
	t.Parallel()
	const secretPath = "/services/T0001/B0002/dev-secret-value"
	var mu sync.Mutex
	var posts []map[string]any
	slack := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var msg map[string]any
		json.NewDecoder(r.Body).Decode(&msg)
		mu.Lock()
		defer mu.Unlock()
		if posts = append(posts, msg); len(posts) == 1 || r.URL.Path != secretPath {
			http.Error(w, "server_error", http.StatusInternalServerError) // the first post fails
			return
		}
		io.WriteString(w, "ok")
	}))
	defer slack.Close()

	dir := filepath.Join(t.TempDir(), "c")
	cli(t, "", "new", "connector", dir, "--name", "form-to-slack", "--owner", "ops", "--yes")
	edit(t, filepath.Join(dir, "runway.yaml"), "host: hooks.slack.com", "host: 127.0.0.1")
	edit(t, filepath.Join(dir, "connector.yaml"), "        message:\n", "        callback:\n          type: string\n        message:\n")
	edit(t, filepath.Join(dir, "connector.yaml"), "  # Answer the sender.\n", `  - id: call_back
    if: request.body.callback != ""
    then:
      - id: ping
        http.request: {method: POST, url: "${{ request.body.callback }}"}

  # Answer the sender.
`)
	env := []string{"SLACK_WEBHOOK_URL=" + slack.URL + secretPath}
	out, log := &syncBuffer{}, &syncBuffer{}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan int, 1)
	a := &app{stdio: stdio{in: strings.NewReader(""), out: out, err: log}, environ: append(testEnviron(t), env...), terminal: func(any) bool { return false }}
	go func() { done <- a.execute(ctx, []string{"dev", dir, "--addr", "127.0.0.1:0"}) }()
	var url string
	for deadline := time.Now().Add(20 * time.Second); url == ""; {
		if m := devURL.FindStringSubmatch(out.String()); m != nil {
			url = m[1]
		} else if time.Now().After(deadline) {
			t.Fatalf("runway dev did not start:\n%s\n%s", out, log)
		}
		time.Sleep(10 * time.Millisecond)
	}

	form := map[string]any{"name": "Ada", "email": "ada@example.com", "message": "Could we book a demo next week?"}
	status, first := postJSON(t, url+"/contact", form)
	if status != http.StatusBadGateway || !strings.Contains(first["error"].(string), "step `notify`: 127.0.0.1 answered 500 Internal Server Error") {
		t.Errorf("first request: %d %v", status, first)
	}
	status, answer := postJSON(t, url+"/contact", form)
	if status != http.StatusOK || answer["message"] != "Thank you Ada, we will get back to you soon." {
		t.Errorf("second request: %d %v", status, answer)
	}
	mu.Lock()
	if len(posts) != 2 || posts[1]["text"] != "New message from Ada (ada@example.com):\nCould we book a demo next week?" {
		t.Errorf("Slack got %v", posts)
	}
	mu.Unlock()
	form["callback"] = "https://evil.example/collect"
	status, refused := postJSON(t, url+"/contact", form)
	if want := "step `ping`: refused to call evil.example: runway.yaml declares no integration for this host"; status != http.StatusBadGateway || !strings.Contains(refused["error"].(string), want) {
		t.Errorf("undeclared host: %d %v, want the reason %q", status, refused, want)
	}

	dead := cliEnv(t, env, "connector", "runs", dir, "--dead", "--output", "json")
	var runs []struct{ ID, Error string }
	if err := json.Unmarshal([]byte(dead.stdout), &runs); err != nil || len(runs) != 2 {
		t.Fatalf("dead letters: %v\n%s", err, dead.stdout)
	}
	replay := cliEnv(t, env, "connector", "replay", runs[1].ID, dir) // the oldest: Slack failed
	if replay.code != exitOK || !strings.Contains(replay.stdout, "replayed "+runs[1].ID+": ok") {
		t.Errorf("replay: exit %d\n%s%s", replay.code, replay.stdout, replay.stderr)
	}
	if again := cliEnv(t, env, "connector", "replay", runs[0].ID, dir); again.code != exitBlocked || !strings.Contains(again.stdout, "refused to call evil.example") {
		t.Errorf("replaying the refused run: exit %d\n%s", again.code, again.stdout)
	}
	list := cliEnv(t, env, "connector", "runs", dir)
	show := cliEnv(t, env, "connector", "show", runs[1].ID, dir)
	if !strings.Contains(show.stdout, `"replayed_by"`) || !strings.Contains(list.stdout, "POST /contact") {
		t.Errorf("runs:\n%s\nshow:\n%s", list.stdout, show.stdout)
	}

	stop()
	if code := <-done; code != exitSignal && code != exitOK {
		t.Errorf("runway dev exited with %d:\n%s", code, log)
	}
	texts := []string{out.String(), log.String(), list.stdout, show.stdout, replay.stdout, replay.stderr, dead.stdout, jsonText(first), jsonText(refused)}
	filepath.Walk(filepath.Join(dir, ".runway"), func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			data, _ := os.ReadFile(p)
			texts = append(texts, string(data))
		}
		return nil
	})
	for _, text := range texts {
		if strings.Contains(text, "dev-secret-value") || strings.Contains(text, "T0001/B0002") {
			t.Errorf("the secret's value leaks:\n%s", text)
		}
	}
	if !strings.Contains(log.String(), "[SLACK_WEBHOOK_URL]") {
		t.Errorf("the log does not show where the secret was used:\n%s", log)
	}
}

func edit(t *testing.T, path, old, new string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil || !strings.Contains(string(data), old) {
		t.Fatalf("%s lacks %q (%v)", path, old, err)
	}
	os.WriteFile(path, []byte(strings.Replace(string(data), old, new, 1)), 0o644)
}

func postJSON(t *testing.T, url string, body any) (int, map[string]any) {
	t.Helper()
	data, _ := json.Marshal(body)
	resp, err := http.Post(url, "application/json", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// cliEnv runs a command line with more environment variables.
func cliEnv(t *testing.T, env []string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	a := &app{stdio: stdio{in: strings.NewReader(""), out: &out, err: &errb}, environ: append(testEnviron(t), env...), terminal: func(any) bool { return false }}
	code := a.execute(context.Background(), args)
	return result{out.String(), errb.String(), code}
}

func jsonText(v any) string {
	data, _ := json.Marshal(v)
	return string(data)
}
