package secrets

import (
	"testing"

	"github.com/runwayhq/runway"
)

func TestOutcome(t *testing.T) {
	t.Parallel()
	two := []runway.Finding{{File: "a.js"}, {File: "b.js"}}
	tests := []struct {
		name   string
		res    result
		status runway.CheckStatus
		want   string
	}{
		{"nothing", result{files: 143}, runway.StatusPass, "No secrets found in 143 files."},
		{"one file", result{files: 1}, runway.StatusPass, "No secrets found in 1 file."},
		{"history", result{files: 143, history: true, commits: 12}, runway.StatusPass, "No secrets found in 143 files and 12 commits of history."},
		{"two", result{files: 9, findings: two}, runway.StatusFail, "2 secrets found in 2 files."},
		{"same file", result{files: 9, findings: []runway.Finding{{File: "a.js"}, {File: "a.js"}}}, runway.StatusFail, "2 secrets found in 1 file."},
		{"one only in history", result{files: 9, findings: two[:1], history: true, historyOnly: 1}, runway.StatusFail, "1 secret found in 1 file (1 only in the git history)."},
		{"unreadable", result{files: 9, unreadable: []string{"x.js"}}, runway.StatusWarn, "No secrets found in 9 files. 1 file could not be read, so it was not checked: see the log."},
		{"unreadable with findings", result{files: 9, findings: two, unreadable: []string{"x.js", "y/"}}, runway.StatusFail, "2 secrets found in 2 files. 2 files could not be read, so they were not checked: see the log."},
		{"shallow", result{files: 3, history: true, commits: 1, shallow: true}, runway.StatusPass, "No secrets found in 3 files and 1 commit of history. Only part of the git history was scanned, because this is a shallow clone: fetch the whole history (fetch-depth: 0 on GitHub Actions) to scan every commit."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := tt.res.outcome()
			if out.Status != tt.status || out.Summary != tt.want {
				t.Errorf("got %s %q\nwant %s %q", out.Status, out.Summary, tt.status, tt.want)
			}
			if _, ok := out.Details["commits_scanned"]; ok != tt.res.history {
				t.Errorf("commits_scanned present = %t, want %t", ok, tt.res.history)
			}
			if got := out.Details["files_scanned"]; got != tt.res.files {
				t.Errorf("files_scanned = %v, want %d", got, tt.res.files)
			}
		})
	}
}
