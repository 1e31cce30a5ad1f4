package check_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/check"
)

// app writes a folder holding a runway.yaml with the given commands; an
// empty command is left out.
func app(t *testing.T, build, lint, test string) string {
	t.Helper()
	dir := t.TempDir()
	data := "name: demo\nowner: web\nrisk: medium\naudience: team\nrun:\n  health: /healthz\n"
	for _, c := range [][2]string{{"build", build}, {"lint", lint}, {"test", test}} {
		if c[1] != "" {
			data += fmt.Sprintf("  %s: %q\n", c[0], c[1])
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "runway.yaml"), []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func commands() []runway.Check {
	env := os.Environ()
	return []runway.Check{
		check.Command{Step: check.Build, Env: env},
		check.Command{Step: check.Lint, Env: env},
		check.Command{Step: check.Test, Env: env},
	}
}

func statuses(r *runway.Report) map[string]runway.CheckStatus {
	m := map[string]runway.CheckStatus{}
	for _, c := range r.Checks {
		m[c.Name] = c.Status
	}
	return m
}

func TestCommands(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name              string
		build, lint, test string
		want              map[string]runway.CheckStatus
		decision          runway.Decision
		findingKinds      []runway.FindingKind
	}{
		{"all pass", "true", "true", "true",
			map[string]runway.CheckStatus{"manifest": "pass", "build": "pass", "lint": "pass", "test": "pass"}, runway.DecisionPass, nil},
		{"lint fails", "true", "echo 'app.js: 3 problems' >&2; exit 1", "true",
			map[string]runway.CheckStatus{"manifest": "pass", "build": "pass", "lint": "fail", "test": "pass"}, runway.DecisionBlocked, []runway.FindingKind{runway.KindLint}},
		{"test fails", "true", "true", "echo 'not ok 1 - adds'; exit 1",
			map[string]runway.CheckStatus{"manifest": "pass", "build": "pass", "lint": "pass", "test": "fail"}, runway.DecisionBlocked, []runway.FindingKind{runway.KindTest}},
		{"build fails: lint and test skipped", "exit 2", "true", "true",
			map[string]runway.CheckStatus{"manifest": "pass", "build": "fail", "lint": "skipped", "test": "skipped"}, runway.DecisionBlocked, []runway.FindingKind{runway.KindBuild}},
		{"no build: lint and test still run", "", "true", "true",
			map[string]runway.CheckStatus{"manifest": "pass", "build": "skipped", "lint": "pass", "test": "pass"}, runway.DecisionPass, nil},
		{"no test command: skipped, not blocking", "true", "true", "",
			map[string]runway.CheckStatus{"manifest": "pass", "build": "pass", "lint": "pass", "test": "skipped"}, runway.DecisionPass, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := app(t, tt.build, tt.lint, tt.test)
			r := &check.Runner{Checks: commands()}
			rep, err := r.Run(context.Background(), dir, "")
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, statuses(rep)); diff != "" {
				t.Errorf("statuses -want +got:\n%s", diff)
			}
			if rep.Decision != tt.decision {
				t.Errorf("decision = %s, want %s", rep.Decision, tt.decision)
			}
			var kinds []runway.FindingKind
			for _, f := range rep.Findings {
				kinds = append(kinds, f.Kind)
				if !f.Blocking || f.Fix == "" || f.Check == "" || f.ID == "" {
					t.Errorf("finding lacks blocking/fix/check/id: %+v", f)
				}
			}
			if diff := cmp.Diff(tt.findingKinds, kinds); diff != "" {
				t.Errorf("finding kinds -want +got:\n%s", diff)
			}
		})
	}
}

// TestFailureKeepsOutput: the finding carries the end of the output and
// the log file holds all of it.
func TestFailureKeepsOutput(t *testing.T) {
	t.Parallel()
	dir := app(t, "", "for i in $(seq 1 100); do echo line $i; done; printf '\\033[31mred\\033[0m\\n'; exit 1", "")
	rep, err := (&check.Runner{Checks: commands()}).Run(context.Background(), dir, "")
	if err != nil {
		t.Fatal(err)
	}
	f := rep.Findings[0]
	if !strings.HasSuffix(f.Message, "line 100\nred") || strings.Contains(f.Message, "line 70\n") || strings.Contains(f.Message, "\x1b") {
		t.Errorf("excerpt is not the last 30 lines without colours:\n%s", f.Message)
	}
	var lint runway.CheckResult
	for _, c := range rep.Checks {
		if c.Name == "lint" {
			lint = c
		}
	}
	if lint.Log != ".runway/logs/lint.log" {
		t.Fatalf("log = %q", lint.Log)
	}
	data, err := os.ReadFile(filepath.Join(dir, lint.Log))
	if err != nil || !strings.Contains(string(data), "line 1\n") {
		t.Errorf("log lacks the start of the output: %v", err)
	}
}

func TestBadManifestSkipsCommands(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "runway.yaml"), []byte("name: demo\nowner: web\nrisk: medium\naudience: team\nintergrations: []\n"), 0o644)
	rep, err := (&check.Runner{Checks: commands()}).Run(context.Background(), dir, "")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]runway.CheckStatus{"manifest": "fail", "build": "skipped", "lint": "skipped", "test": "skipped"}
	if diff := cmp.Diff(want, statuses(rep)); diff != "" {
		t.Errorf("-want +got:\n%s", diff)
	}
	if rep.Decision != runway.DecisionBlocked || rep.Tier != 3 {
		t.Errorf("decision %s tier %d, want blocked at tier 3", rep.Decision, rep.Tier)
	}
	f := rep.Findings[0]
	if f.Line != 5 || f.Column != 1 || !strings.Contains(f.Title, "did you mean `integrations`") {
		t.Errorf("finding = %+v", f)
	}
}

func TestMissingManifest(t *testing.T) {
	t.Parallel()
	rep, err := (&check.Runner{Checks: commands()}).Run(context.Background(), t.TempDir(), "")
	if err != nil {
		t.Fatal(err)
	}
	if rep.Decision != runway.DecisionBlocked || rep.Findings[0].Rule != "manifest-missing" {
		t.Errorf("got %s with %+v", rep.Decision, rep.Findings)
	}
}

func TestNotAFolder(t *testing.T) {
	t.Parallel()
	_, err := (&check.Runner{}).Run(context.Background(), filepath.Join(t.TempDir(), "nope"), "")
	if runway.ErrorCode(err) != runway.EINVALID {
		t.Errorf("got %v, want EINVALID", err)
	}
}

// fake is a check whose behaviour a test sets.
type fake struct {
	name  string
	needs []string
	run   func(ctx context.Context) runway.CheckOutcome
}

func (f fake) Name() string    { return f.name }
func (f fake) Needs() []string { return f.needs }
func (f fake) Run(ctx context.Context, _ *runway.Workspace, _ io.Writer) runway.CheckOutcome {
	return f.run(ctx)
}

func pass(context.Context) runway.CheckOutcome { return runway.CheckOutcome{Status: runway.StatusPass} }

func TestTimeoutStopsTheProcessTree(t *testing.T) {
	t.Parallel()
	dir := app(t, "", "sleep 30 & sleep 30; wait", "")
	start := time.Now()
	rep, err := (&check.Runner{Checks: commands(), Timeout: 200 * time.Millisecond}).Run(context.Background(), dir, "")
	if err != nil {
		t.Fatal(err)
	}
	if got := statuses(rep)["lint"]; got != runway.StatusError {
		t.Errorf("lint = %s, want error", got)
	}
	// The bound is generous: it only proves the background sleep did not
	// keep the check alive for its 30 seconds.
	if time.Since(start) > 15*time.Second {
		t.Errorf("check outlived its timeout: %s", time.Since(start))
	}
}

func TestPanicBecomesError(t *testing.T) {
	t.Parallel()
	dir := app(t, "", "", "")
	boom := fake{name: "boom", run: func(context.Context) runway.CheckOutcome { panic("kaput") }}
	after := fake{name: "after", needs: []string{"boom"}, run: pass}
	rep, err := (&check.Runner{Checks: []runway.Check{boom, after}}).Run(context.Background(), dir, "")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]runway.CheckStatus{"manifest": "pass", "boom": "error", "after": "skipped"}
	if diff := cmp.Diff(want, statuses(rep)); diff != "" {
		t.Errorf("-want +got:\n%s", diff)
	}
}

// TestIndependentChecksOverlap: two checks that wait for each other can
// only finish if the runner starts both at once.
func TestIndependentChecksOverlap(t *testing.T) {
	t.Parallel()
	dir := app(t, "", "", "")
	var wg sync.WaitGroup
	wg.Add(2)
	meet := func(ctx context.Context) runway.CheckOutcome {
		wg.Done()
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		select {
		case <-done:
			return runway.CheckOutcome{Status: runway.StatusPass}
		case <-ctx.Done():
			return runway.CheckOutcome{Status: runway.StatusError}
		}
	}
	r := &check.Runner{Checks: []runway.Check{fake{name: "a", run: meet}, fake{name: "b", run: meet}}, Parallel: 2, Timeout: 10 * time.Second}
	rep, err := r.Run(context.Background(), dir, "")
	if err != nil {
		t.Fatal(err)
	}
	if s := statuses(rep); s["a"] != "pass" || s["b"] != "pass" {
		t.Errorf("checks did not run concurrently: %v", s)
	}
}

func TestWiringErrors(t *testing.T) {
	t.Parallel()
	dir := app(t, "", "", "")
	for name, checks := range map[string][]runway.Check{
		"duplicate":    {fake{name: "a", run: pass}, fake{name: "a", run: pass}},
		"unknown need": {fake{name: "a", needs: []string{"zzz"}, run: pass}},
	} {
		if _, err := (&check.Runner{Checks: checks}).Run(context.Background(), dir, ""); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// recorder is an Observer that records the order of events.
type recorder struct {
	mu     sync.Mutex
	events []string
}

func (r *recorder) CheckStarted(name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, "start "+name)
}

func (r *recorder) CheckFinished(res runway.CheckResult) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, "finish "+res.Name)
}

func TestObserverHearsEveryCheck(t *testing.T) {
	t.Parallel()
	dir := app(t, "exit 1", "true", "")
	rec := &recorder{}
	if _, err := (&check.Runner{Checks: commands(), Observer: rec, Parallel: 1}).Run(context.Background(), dir, ""); err != nil {
		t.Fatal(err)
	}
	// lint and test are skipped concurrently, in either order.
	want := []string{"start manifest", "finish manifest", "start build", "finish build", "finish lint", "finish test"}
	got := append([]string(nil), rec.events...)
	if len(got) == len(want) {
		slices.Sort(got[4:])
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("-want +got:\n%s", diff)
	}
}

func TestSkip(t *testing.T) {
	t.Parallel()
	dir := app(t, "true", "exit 1", "true")
	rep, err := (&check.Runner{Checks: commands(), Skip: []string{"lint"}}).Run(context.Background(), dir, "")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]runway.CheckStatus{"manifest": "pass", "build": "pass", "lint": "skipped", "test": "pass"}
	if diff := cmp.Diff(want, statuses(rep)); diff != "" {
		t.Errorf("-want +got:\n%s", diff)
	}
	_, err = (&check.Runner{Checks: commands(), Skip: []string{"lnt"}}).Run(context.Background(), dir, "")
	if runway.ErrorCode(err) != runway.EINVALID {
		t.Errorf("unknown check to skip: %v, want EINVALID", err)
	}
}
