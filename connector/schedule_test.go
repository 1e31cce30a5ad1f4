package connector

import (
	"context"
	"encoding/json"
	"testing"
	"time"
)

// TestSchedule: a schedule connector runs at its cron's times in its time
// zone, with schedule.time set.
func TestSchedule(t *testing.T) {
	t.Parallel()
	rc := newReceiver(t, "127.0.0.1")
	c := mustParse(t, `
trigger:
  schedule: {cron: "0 9 * * 1-5", time_zone: Europe/Paris}
steps:
  - id: remind
    slack.post_message: {text: "Stand-up at ${{ schedule.time.getHours('Europe/Paris') }}:00, day ${{ schedule.time.getDayOfWeek('Europe/Paris') }}"}
`, app(integration("slack", "127.0.0.1", "SLACK_URL")))
	friday := time.Date(2025, 1, 3, 12, 0, 0, 0, time.UTC)
	next := c.Trigger.Next(friday)
	if want := time.Date(2025, 1, 6, 8, 0, 0, 0, time.UTC); !next.Equal(want) {
		t.Fatalf("next run after Friday noon = %s, want Monday 09:00 Paris (%s)", next.UTC(), want)
	}
	clock := friday
	e, err := NewEngine(c, fastOptions(Options{Secrets: secrets(map[string]string{"SLACK_URL": rc.URL + "/hook-secret"}), Now: func() time.Time { return clock }}))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	waits := make(chan time.Duration, 2)
	fire := make(chan time.Time)
	done := make(chan struct{})
	go func() {
		e.Schedule(ctx, func(d time.Duration) <-chan time.Time { waits <- d; return fire })
		close(done)
	}()
	if d := <-waits; d != next.Sub(friday) {
		t.Errorf("waits %s, want %s", d, next.Sub(friday))
	}
	clock = next
	fire <- next
	<-waits // the run is over: it waits for the next one
	cancel()
	<-done
	got := rc.got()
	if len(got) != 1 {
		t.Fatalf("receiver got %d posts", len(got))
	}
	var msg map[string]any
	json.Unmarshal(got[0].Body, &msg)
	if msg["text"] != "Stand-up at 9:00, day 1" {
		t.Errorf("text = %q", msg["text"])
	}
}

// TestForeachBound: a list longer than max fails the run before any call.
func TestForeachBound(t *testing.T) {
	t.Parallel()
	c := mustParse(t, `
trigger:
  http:
    path: /batch
    input: {properties: {ids: {type: array, items: {type: integer}}}}
steps:
  - id: each
    foreach: request.body.ids
    max: 2
    do:
      - id: call
        http.request: {url: "https://api.example.com/items/${{ item }}"}
`, app(integration("api", "api.example.com", "")))
	s := &stub{}
	e, err := NewEngine(c, fastOptions(Options{Outbound: s}))
	if err != nil {
		t.Fatal(err)
	}
	run := e.Run(context.Background(), jsonEvent("/batch", map[string]any{"ids": []int{1, 2, 3}}))
	if run.Error != "step `each`: the list has 3 items; this step handles at most 2 (its max)" || len(s.calls) != 0 {
		t.Errorf("run %s: %q, %d calls", run.Status, run.Error, len(s.calls))
	}
	run = e.Run(context.Background(), jsonEvent("/batch", map[string]any{"ids": []int{7, 8}}))
	if run.Status != RunOK || len(s.calls) != 2 || s.calls[1].URL.Path != "/items/8" {
		t.Errorf("run %s %q, calls %d", run.Status, run.Error, len(s.calls))
	}
}
