package release_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/release"
	"github.com/runwayhq/runway/runwaytest"
	"github.com/runwayhq/runway/window"
)

// TestMessagesGolden keeps what people read about promotions — why a
// request needs whom, how it ended, why an answer was refused — in one
// golden file (go test ./release -update rewrites it; review the diff).
func TestMessagesGolden(t *testing.T) {
	var out strings.Builder
	say := func(title string, lines ...string) {
		fmt.Fprintf(&out, "== %s\n", title)
		for _, l := range lines {
			fmt.Fprintf(&out, "%s\n", l)
		}
		out.WriteString("\n")
	}
	describe := func(p *runway.Promotion) []string {
		lines := append([]string{"state: " + string(p.State)}, p.Why...)
		for _, q := range p.Requirements {
			lines = append(lines, fmt.Sprintf("requirement: %s %s %s (fallback %t): %s", q.Kind, q.Role, q.Team, q.Fallback, q.Why))
		}
		if p.Outcome != "" {
			lines = append(lines, "outcome: "+p.Outcome)
		}
		return lines
	}
	errText := func(err error) string { return "error (" + runway.ErrorCode(err) + "): " + runway.ErrorMessage(err) }
	ctx := context.Background()

	w := newWorld(t, "")
	w.submitApp(t, "dev", "wiki", "web", 1)
	p := w.promote(t, "dev", "wiki", runway.EnvProduction)
	say("tier 2 to production", describe(p)...)
	_, err := approve(w, t, "dev", p.ID)
	say("the submitter approves", errText(err))
	_, err = approve(w, t, "dev2", p.ID)
	say("a developer approves", errText(err))
	_, err = approve(w, t, "datalead", p.ID)
	say("another team's lead approves", errText(err))
	_, err = w.promoter.Answer(ctx, w.as(t, "lead"), p.ID, release.Answer{Verdict: runway.Reject})
	say("a rejection without a reason", errText(err))
	got, err := w.promoter.Answer(ctx, w.as(t, "lead"), p.ID, release.Answer{Verdict: runway.Reject, Reason: "the export has no row limit"})
	if err != nil {
		t.Fatal(err)
	}
	say("rejected", describe(got)...)

	p = w.promote(t, "dev", "wiki", runway.EnvProduction)
	w.submitApp(t, "dev", "wiki", "web", 2)
	got, _ = w.store.FindPromotion(ctx, p.ID)
	say("a newer candidate", describe(got)...)

	w.submitApp(t, "solo", "tool", "solo", 1)
	say("one-person team", describe(w.promote(t, "solo", "tool", runway.EnvStaging))...)

	sub := clean("payroll", "web")
	sub.Manifest = []byte("name: payroll\nowner: web\nrisk: high\naudience: org\ndata: [pii]\nrun:\n  test: npm test\n")
	if _, err := w.submit.Submit(ctx, w.as(t, "dev"), sub); err != nil {
		t.Fatal(err)
	}
	say("tier 3 to production", describe(w.promote(t, "dev", "payroll", runway.EnvProduction))...)

	bg, err := w.promoter.Promote(ctx, w.as(t, "dev"), release.PromoteRequest{App: "wiki", Environment: runway.EnvProduction, BreakGlass: true, Note: "payments page is down"})
	if err != nil {
		t.Fatal(err)
	}
	say("break-glass", describe(bg)...)

	personal := clean("notes", "web")
	personal.Manifest = []byte("name: notes\nowner: web\nrisk: low\naudience: personal\ndata: []\nrun:\n  test: npm test\n")
	if _, err := w.submit.Submit(ctx, w.as(t, "dev"), personal); err != nil {
		t.Fatal(err)
	}
	_, err = w.promoter.Promote(ctx, w.as(t, "dev"), release.PromoteRequest{App: "notes", Environment: runway.EnvProduction})
	say("tier 1 beyond the sandbox", errText(err))
	say("tier 1 to its sandbox", describe(w.promote(t, "dev", "notes", runway.EnvSandbox))...)

	cal, err := window.Compile([]window.Spec{{Name: "weekday mornings", Cron: "0 9 * * 1-4", Duration: 6 * time.Hour, TimeZone: "Europe/Berlin", Environments: []runway.Environment{runway.EnvProduction}}})
	if err != nil {
		t.Fatal(err)
	}
	w.promoter.Windows = cal
	w.submitApp(t, "dev", "wiki", "web", 3)
	p = w.promote(t, "dev", "wiki", runway.EnvProduction)
	got, err = approve(w, t, "lead", p.ID)
	if err != nil {
		t.Fatal(err)
	}
	say("approved outside the release window", describe(got)...)

	p = w.promote(t, "dev", "wiki", runway.EnvStaging)
	w.clock.Advance(8 * 24 * time.Hour)
	if err := w.promoter.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	got, _ = w.store.FindPromotion(ctx, p.ID)
	say("expired", describe(got)...)

	runwaytest.Golden(t, "testdata/messages.golden", []byte(out.String()))
}
