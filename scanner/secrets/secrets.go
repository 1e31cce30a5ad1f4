package secrets

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"

	"github.com/zricethezav/gitleaks/v8/config"
	"github.com/zricethezav/gitleaks/v8/detect"
	"github.com/zricethezav/gitleaks/v8/report"

	"github.com/runwayhq/runway"
)

// Options choose what the secrets check reads.
type Options struct {
	// History also scans every commit, on every branch and tag, that touches
	// the app's folder. It needs the git command and a git repository.
	History bool
	// IncludeVendored also scans vendored code (node_modules, vendor and
	// bower_components folders), which is skipped by default.
	IncludeVendored bool
	// CacheDir, when set, is where the check remembers what it found in
	// each file, so that the next run rescans only files that changed
	// (values are never written, only what findings show). It must be
	// outside the app's folder, for instance the user's cache folder; a
	// folder inside it is not used.
	CacheDir string
}

// New returns the secrets check, named "secrets". It needs no other check.
//
// New starts compiling gitleaks' rules in the background, since a check is
// created just before it runs: the tens of milliseconds it takes then
// overlap with the gate's other start-up work.
func New(opt Options) runway.Check {
	go rules(opt.IncludeVendored)
	return &check{opt: opt}
}

type check struct{ opt Options }

// Name implements runway.Check.
func (c *check) Name() string { return "secrets" }

// Needs implements runway.Check.
func (c *check) Needs() []string { return nil }

// Run implements runway.Check. It writes what it did to log, never a value.
func (c *check) Run(ctx context.Context, ws *runway.Workspace, log io.Writer) runway.CheckOutcome {
	res, err := c.scan(ctx, ws, log)
	if err != nil {
		fmt.Fprintf(log, "error: %v\n", err)
		return runway.CheckOutcome{Status: runway.StatusError, Summary: "Could not scan for secrets: " + runway.ErrorMessage(err)}
	}
	for _, f := range res.findings {
		fmt.Fprintf(log, "found %s (rule %s) in %s line %d\n", f.ID, f.Rule, f.File, f.Line)
	}
	return res.outcome()
}

// scan reads the working tree and, when asked, the history.
func (c *check) scan(ctx context.Context, ws *runway.Workspace, log io.Writer) (*result, error) {
	cfg, err := rules(c.opt.IncludeVendored)
	if err != nil {
		return nil, &runway.Error{Code: runway.EINTERNAL, Message: "the secret-scanning rules could not be loaded. This is a bug in Runway; please report it.", Err: err}
	}
	fmt.Fprintf(log, "gitleaks %s with its %d default rules\n", gitleaksVersion(), len(cfg.Rules))
	r, err := findRepo(ws.Dir)
	if err != nil {
		return nil, &runway.Error{Code: runway.EINVALID, Message: fmt.Sprintf("the app's folder %s cannot be read.", ws.Dir), Err: err}
	}
	if c.opt.History {
		if err := historyReady(ws, r); err != nil {
			return nil, err
		}
	}
	t, leaks, err := c.scanTree(ctx, ws, cfg, r, log)
	if err != nil {
		return nil, err
	}
	res := &result{files: int(t.files.Load()), rules: len(cfg.Rules), unreadable: t.unreadable}
	var hist []leak
	if c.opt.History {
		if hist, err = c.scanHistory(ctx, ws, cfg, res, log); err != nil {
			return nil, err
		}
	}
	res.findings, res.historyOnly = combine(leaks, hist)
	return res, nil
}

// scanTree scans the working tree and returns its walker (with what it
// counted) and the leaks found.
func (c *check) scanTree(ctx context.Context, ws *runway.Workspace, cfg *config.Config, r *repo, log io.Writer) (*tree, []leak, error) {
	t := &tree{dir: ws.Dir, cfg: cfg, includeVendored: c.opt.IncludeVendored, skip: skipDirs(ws), repo: r, workers: runtime.GOMAXPROCS(0)}
	if r != nil {
		var err error
		if t.tracked, err = trackedIgnored(ctx, ws.Dir); err != nil {
			fmt.Fprintf(log, "could not ask git which ignored files it tracks (%v); scanning what .gitignore does not ignore\n", err)
		}
	}
	cache, err := openCache(c.opt.CacheDir, ws.Dir, cfg, c.opt)
	if err != nil {
		fmt.Fprintf(log, "not using the cache: %v\n", err)
	}
	leaks, err := t.scan(ctx, sync.OnceValue(func() *detect.Detector { return newDetector(ctx, cfg) }), cache)
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		return nil, nil, &runway.Error{Code: runway.EUNAVAILABLE, Message: "the app's files could not be read to the end.", Err: err}
	}
	if cache != nil {
		if err := cache.save(); err != nil {
			fmt.Fprintf(log, "could not save the cache: %v\n", err)
		}
	}
	logTree(log, t)
	return t, merge(leaks), nil
}

// reduce turns gitleaks findings into leaks, dropping placeholders and
// the findings place rejects, then merges repeats.
func reduce(raw []report.Finding, place func(report.Finding) (file string, ok bool)) []leak {
	var leaks []leak
	for _, f := range raw {
		file, ok := place(f)
		if !ok {
			continue
		}
		if l, ok := newLeak(f, file); ok {
			leaks = append(leaks, l)
		}
	}
	return merge(leaks)
}

// combine returns the findings of the working tree, then those of the
// history that the working tree does not already show, and how many of
// those there are.
func combine(tree, hist []leak) ([]runway.Finding, int) {
	fs := make([]runway.Finding, 0, len(tree)+len(hist))
	seen := map[string]bool{}
	for _, l := range tree {
		seen[l.id()] = true
		fs = append(fs, l.finding())
	}
	only := 0
	for _, l := range hist {
		if !seen[l.id()] {
			fs = append(fs, l.finding())
			only++
		}
	}
	return fs, only
}

// skipDirs are the folders the walker never enters: the generated .runway
// folder, and the artifacts folder when it is inside the app's.
func skipDirs(ws *runway.Workspace) map[string]bool {
	skip := map[string]bool{".runway": true}
	if ws.OutDir != "" {
		if rel, err := filepath.Rel(ws.Dir, ws.OutDir); err == nil && filepath.IsLocal(rel) {
			skip[filepath.ToSlash(rel)] = true
		}
	}
	return skip
}

func logTree(log io.Writer, t *tree) {
	fmt.Fprintf(log, "scanned %d files\n", t.files.Load())
	if len(t.vendored) > 0 {
		fmt.Fprintf(log, "skipped vendored folders (scan them with --include-vendored): %s\n", strings.Join(t.vendored, ", "))
	}
	if t.ignored > 0 {
		fmt.Fprintf(log, "skipped %d files and folders that .gitignore ignores\n", t.ignored)
	}
	for _, u := range t.unreadable {
		fmt.Fprintf(log, "could not read %s\n", u)
	}
}

// gitleaksVersion is the version of gitleaks built in, for the log.
func gitleaksVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, m := range bi.Deps {
			if m.Path == "github.com/zricethezav/gitleaks/v8" {
				return m.Version
			}
		}
	}
	return "(version unknown)"
}
