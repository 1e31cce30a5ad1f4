package sast

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/runwayhq/runway"
)

// Options configure the static-analysis check.
type Options struct {
	// SARIF lists SARIF 2.1.0 files written by other tools (Semgrep,
	// CodeQL, ESLint's SARIF formatter) whose results join the findings.
	// Relative paths are relative to the current folder, as on the command
	// line (`runway check --sarif FILE`, repeatable).
	SARIF []string
	// MaxSARIFBytes bounds each SARIF file; zero means DefaultMaxSARIFBytes.
	MaxSARIFBytes int64
}

// New returns the "sast" check: the built-in rules for JavaScript,
// TypeScript and Python, gosec for Go modules, and the SARIF files of other
// tools. Its findings never block by themselves (policy decides); the
// check is warn when it finds something and error when a scanner could not
// run.
func New(opt Options) runway.Check { return &Check{opt: opt, now: time.Now} }

// Check is the static-analysis check. Create it with New.
type Check struct {
	opt Options
	now func() time.Time
}

// Name returns "sast".
func (c *Check) Name() string { return checkName }

// Needs returns nothing: the check reads only the app's files.
func (c *Check) Needs() []string { return nil }

// Run scans the app in ws.Dir. It writes progress and scanner problems to
// log.
func (c *Check) Run(ctx context.Context, ws *runway.Workspace, log io.Writer) runway.CheckOutcome {
	timing := map[string]int64{}
	timed := func(name string, start time.Time) { timing[name] = c.now().Sub(start).Milliseconds() }

	start := c.now()
	files, err := listFiles(ctx, ws.Dir)
	if err != nil {
		return errorOutcome(fmt.Errorf("list the app's files: %w", err), nil, nil)
	}
	details := map[string]any{"files_scanned": files.count(), "rules": len(Rules()), "timing_ms": timing}
	if files.skipped > 0 {
		details["files_skipped"] = files.skipped
	}
	var all []runway.Finding
	var problems []string

	found, err := scanSources(ctx, ws.Dir, files.sources)
	if err == nil {
		var scripts []runway.Finding
		scripts, err = scanPackageJSON(ws.Dir, files.packageJSON)
		found = append(found, scripts...)
	}
	timed("tree_sitter", start)
	if err != nil {
		problems = append(problems, "The JavaScript, TypeScript and Python rules could not run: "+errText(err))
	}
	all = append(all, found...)

	if dirs := goPackages(files); len(dirs) > 0 {
		start := c.now()
		res, err := scanGo(ctx, ws.Dir, dirs, log)
		timed("gosec", start)
		switch {
		case err != nil:
			problems = append(problems, "The Go scanner could not run: "+errText(err))
		default:
			all = append(all, res.findings...)
			if len(res.problems) > 0 {
				details["go_load_problems"] = len(res.problems)
				fmt.Fprintf(log, "gosec could not load everything; Go code was checked as far as it could be:\n  %s\n", strings.Join(res.problems, "\n  "))
			}
		}
	}

	if len(c.opt.SARIF) > 0 {
		start := c.now()
		for _, p := range c.opt.SARIF {
			fs, err := ReadSARIF(p, ws.Dir, c.opt.MaxSARIFBytes)
			if err != nil {
				problems = append(problems, errText(err))
				continue
			}
			all = append(all, fs...)
		}
		timed("sarif", start)
		details["sarif_files"] = len(c.opt.SARIF)
	}
	for _, p := range problems {
		fmt.Fprintln(log, p)
	}
	if len(problems) > 0 {
		return errorOutcome(errors.New(strings.Join(problems, " ")), all, details)
	}
	return outcome(all, details)
}

// goPackages returns the folders of Go packages that belong to a module:
// gosec type-checks packages, which needs a go.mod.
func goPackages(f *appFiles) []string {
	var out []string
	for _, d := range f.goDirs {
		for _, m := range f.goModules {
			if m == "." || d == m || strings.HasPrefix(d, m+"/") {
				out = append(out, d)
				break
			}
		}
	}
	return out
}

// outcome is warn with a count when something was found, else pass.
func outcome(fs []runway.Finding, details map[string]any) runway.CheckOutcome {
	if len(fs) == 0 {
		return runway.CheckOutcome{Status: runway.StatusPass, Summary: "No risky code patterns found.", Findings: []runway.Finding{}, Details: details}
	}
	return runway.CheckOutcome{Status: runway.StatusWarn, Summary: summary(fs), Findings: fs, Details: details}
}

// errorOutcome says which scanner could not run, keeping what the others
// found.
func errorOutcome(err error, fs []runway.Finding, details map[string]any) runway.CheckOutcome {
	s := err.Error()
	if len(fs) > 0 {
		s += " Meanwhile the other scanners found " + strings.TrimSuffix(summary(fs), ".") + "."
	}
	if fs == nil {
		fs = []runway.Finding{}
	}
	return runway.CheckOutcome{Status: runway.StatusError, Summary: s, Findings: fs, Details: details}
}

// summary counts findings and files: "3 risky code patterns in 2 files."
func summary(fs []runway.Finding) string {
	files := map[string]bool{}
	for _, f := range fs {
		files[f.File] = true
	}
	return fmt.Sprintf("%s in %s.", plural(len(fs), "risky code pattern"), plural(len(files), "file"))
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// errText is an error's message for a person: the message of a
// *runway.Error, else the error's text, ending with a full stop.
func errText(err error) string {
	var e *runway.Error
	s := err.Error()
	if errors.As(err, &e) && e.Message != "" {
		s = e.Message
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return "Unknown error."
	}
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
