package secrets

import (
	"fmt"
	"strings"

	"github.com/runwayhq/runway"
)

// result is what a scan found and how much it read.
type result struct {
	findings    []runway.Finding
	files       int
	rules       int
	unreadable  []string
	history     bool
	commits     int
	shallow     bool
	historyOnly int // findings found only in the history
}

// outcome is the check's result as the gate reports it.
func (r *result) outcome() runway.CheckOutcome {
	out := runway.CheckOutcome{Status: runway.StatusPass, Findings: r.findings, Details: r.details()}
	switch {
	case len(r.findings) > 0:
		out.Status = runway.StatusFail
	case len(r.unreadable) > 0:
		out.Status = runway.StatusWarn
	}
	out.Summary = r.summary()
	return out
}

func (r *result) details() map[string]any {
	d := map[string]any{"files_scanned": r.files, "rules": r.rules}
	if r.history {
		d["commits_scanned"] = r.commits
		d["history_shallow"] = r.shallow
	}
	if len(r.unreadable) > 0 {
		d["files_unreadable"] = len(r.unreadable)
	}
	return d
}

// summary says in one or two sentences what the scan found.
func (r *result) summary() string {
	var b strings.Builder
	if n := len(r.findings); n == 0 {
		fmt.Fprintf(&b, "No secrets found in %d %s", r.files, plural(r.files, "file", "files"))
		if r.history {
			fmt.Fprintf(&b, " and %d %s of history", r.commits, plural(r.commits, "commit", "commits"))
		}
		b.WriteString(".")
	} else {
		files := map[string]bool{}
		for _, f := range r.findings {
			files[f.File] = true
		}
		fmt.Fprintf(&b, "%d %s found in %d %s", n, plural(n, "secret", "secrets"), len(files), plural(len(files), "file", "files"))
		if r.historyOnly > 0 {
			fmt.Fprintf(&b, " (%d only in the git history)", r.historyOnly)
		}
		b.WriteString(".")
	}
	if n := len(r.unreadable); n > 0 {
		fmt.Fprintf(&b, " %d %s could not be read, so %s not checked: see the log.", n, plural(n, "file", "files"), plural(n, "it was", "they were"))
	}
	if r.shallow {
		b.WriteString(" Only part of the git history was scanned, because this is a shallow clone: fetch the whole history (fetch-depth: 0 on GitHub Actions) to scan every commit.")
	}
	return b.String()
}
