package check_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/check"
	"github.com/runwayhq/runway/runwaytest"
)

// emit is a check that reports the given findings.
func emit(name string, fs ...runway.Finding) fake {
	return fake{name: name, run: func(context.Context) runway.CheckOutcome {
		return runway.CheckOutcome{Status: runway.StatusFail, Findings: append([]runway.Finding(nil), fs...)}
	}}
}

func secretAt(id, file string, line int) runway.Finding {
	return runway.Finding{ID: id, Kind: runway.KindSecret, Severity: runway.SeverityCritical, Title: "A key is written in the code",
		File: file, Line: line, Rule: "slack-bot-token", Fix: "Rotate it.", Blocking: true}
}

func writeFile(t *testing.T, dir, name, data string) {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

var day = time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)

func TestSuppressions(t *testing.T) {
	t.Parallel()
	dir := app(t, "", "", "")
	writeFile(t, dir, "app/config.js", `const a = "k1"; // runway:allow secret -- test fixture, revoked
// runway:allow slack-bot-token -- documented sample for the README
const b = "k2";
const c = "k3"; // runway:allow secret
const d = "k4"; // runway:allow lint -- wrong token
const e = "k5";
const f = "k6";
`)
	writeFile(t, dir, "runway.allow.yaml", `allow:
  - id: aaaaaaaaaaaaaaaa
    reason: Rotated on 2026-11-01; the old key is dead.
    expires: 2026-12-31
  - id: bbbbbbbbbbbbbbbb
    reason: Accepted until the vendor ships a fix.
    expires: 2026-11-28
  - id: cccccccccccccccc
    reason: Nothing has this id any more.
    expires: 2027-01-01
`)
	lintLike := runway.Finding{ID: "dddddddddddddddd", Kind: runway.KindLint, Title: "lint", File: "app/config.js", Line: 5, Rule: "lint", Blocking: true}
	checks := []runway.Check{emit("secrets",
		secretAt("1111111111111111", "app/config.js", 1), // inline, same line
		secretAt("2222222222222222", "app/config.js", 3), // inline, line above, by rule
		secretAt("3333333333333333", "app/config.js", 4), // inline without a reason: ignored
		secretAt("aaaaaaaaaaaaaaaa", "app/config.js", 6), // runway.allow.yaml
		secretAt("bbbbbbbbbbbbbbbb", "app/config.js", 7), // expired entry
	), emit("lint", lintLike)} // lint problems cannot be accepted
	rep, err := (&check.Runner{Checks: checks, Now: func() time.Time { return day }}).Run(context.Background(), dir, "")
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]runway.Finding{}
	for _, f := range rep.Findings {
		byID[f.ID] = f
	}
	accepted := map[string]bool{"1111111111111111": true, "2222222222222222": true, "aaaaaaaaaaaaaaaa": true}
	for _, id := range []string{"1111111111111111", "2222222222222222", "3333333333333333", "aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbb", "dddddddddddddddd"} {
		f := byID[id]
		if got := f.Suppression != nil; got != accepted[id] {
			t.Errorf("%s: suppressed = %v, want %v (%+v)", id, got, accepted[id], f.Suppression)
		}
		if f.Blocking == accepted[id] {
			t.Errorf("%s: blocking = %v, want %v", id, f.Blocking, !accepted[id])
		}
	}
	if s := byID["2222222222222222"].Suppression; s == nil || s.Source != "app/config.js:2" || s.Reason != "documented sample for the README" {
		t.Errorf("inline suppression = %+v", s)
	}
	if s := byID["aaaaaaaaaaaaaaaa"].Suppression; s == nil || s.Source != "runway.allow.yaml" || s.Expires != "2026-12-31" {
		t.Errorf("file suppression = %+v", s)
	}
	var notes []runway.Finding
	for _, f := range rep.Findings {
		if f.Rule == "allow-expired" || f.Rule == "allow-no-reason" || f.Rule == "allow-unused" {
			if f.Blocking {
				t.Errorf("a note blocks: %+v", f)
			}
			notes = append(notes, f)
		}
	}
	data, _ := json.MarshalIndent(notes, "", "  ")
	runwaytest.Golden(t, "testdata/allow-notes.golden", append(data, '\n'))
	if rep.Decision != runway.DecisionBlocked {
		t.Errorf("unaccepted secrets must still block: %s", rep.Decision)
	}
}

func TestAllowFileProblems(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, file string
	}{
		{"no reason, bad id", "allow:\n  - id: 123\n    expires: 2027-01-01\n"},
		{"too far ahead", "allow:\n  - id: aaaaaaaaaaaaaaaa\n    reason: We will get to it eventually.\n    expires: 2030-01-01\n"},
		{"not a date", "allow:\n  - id: aaaaaaaaaaaaaaaa\n    reason: We will get to it eventually.\n    expires: 2027-13-45\n"},
	}
	var out []byte
	for _, tt := range tests {
		dir := app(t, "", "", "")
		writeFile(t, dir, "runway.allow.yaml", tt.file)
		rep, err := (&check.Runner{Checks: []runway.Check{emit("secrets", secretAt("aaaaaaaaaaaaaaaa", "x.js", 1))}, Now: func() time.Time { return day }}).Run(context.Background(), dir, "")
		if err != nil {
			t.Fatal(err)
		}
		if got := statuses(rep)["manifest"]; got != runway.StatusFail {
			t.Errorf("%s: manifest check = %s, want fail", tt.name, got)
		}
		out = append(out, "== "+tt.name+"\n"...)
		for _, f := range rep.Findings {
			if f.Rule == "allow-schema" {
				out = append(out, f.File+":"+itoa(f.Line)+": "+f.Message+"\n    "+f.Fix+"\n"...)
			}
			if f.ID == "aaaaaaaaaaaaaaaa" && f.Suppression != nil {
				t.Errorf("%s: a broken file accepted a finding", tt.name)
			}
		}
	}
	runwaytest.Golden(t, "testdata/allow-problems.golden", out)
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
