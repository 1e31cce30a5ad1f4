package secrets

import (
	"context"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"sync/atomic"

	"github.com/zricethezav/gitleaks/v8/cmd/scm"
	"github.com/zricethezav/gitleaks/v8/config"
	"github.com/zricethezav/gitleaks/v8/report"
	"github.com/zricethezav/gitleaks/v8/sources"

	"github.com/runwayhq/runway"
)

// logOptions are the `git log` options of a history scan, after gitleaks'
// own "log -p -U0": every branch and tag, only what was added, no external
// diff or text conversion programs, no colours, and only the app's folder.
const logOptions = "--full-history --all --diff-filter=tuxdb --no-ext-diff --no-textconv --no-color -- ."

// historyReady checks, before anything is scanned, that the history can
// be: the app is in a repository and the git command is installed.
func historyReady(ws *runway.Workspace, r *repo) error {
	if r == nil {
		return runway.Errorf(runway.EINVALID, "--history reads the git history, and %s is not in a git repository. Run the check without --history, or in a clone of the app's repository.", ws.Dir)
	}
	if _, err := exec.LookPath("git"); err != nil {
		return &runway.Error{Code: runway.EUNAVAILABLE, Message: "--history needs the git command, which is not installed here. Install git, or run the check without --history.", Err: err}
	}
	return nil
}

// scanHistory scans every commit that touches the app's folder and records
// what it read in res.
func (c *check) scanHistory(ctx context.Context, ws *runway.Workspace, cfg *config.Config, res *result, log io.Writer) ([]leak, error) {
	prefix, shallow, err := historyPlace(ctx, ws.Dir)
	if err != nil {
		return nil, gitError(err)
	}
	commits, err := commitCount(ctx, ws.Dir)
	if err != nil {
		return nil, gitError(err)
	}
	res.history, res.commits, res.shallow = true, commits, shallow
	fmt.Fprintf(log, "history: %d commits (shallow clone: %t)\n", commits, shallow)
	raw, err := c.readHistory(ctx, ws.Dir, cfg)
	if err != nil {
		return nil, err
	}
	return reduce(raw, func(f report.Finding) (string, bool) { return historyFile(f.File, prefix, c.opt.IncludeVendored) }), nil
}

// readHistory runs gitleaks over `git log -p`.
func (c *check) readHistory(ctx context.Context, dir string, cfg *config.Config) ([]report.Finding, error) {
	cmd, err := sources.NewGitLogCmdContext(ctx, dir, logOptions)
	if err != nil {
		return nil, gitError(err)
	}
	d := newDetector(ctx, cfg)
	src := &history{git: &sources.Git{
		Cmd:    cmd,
		Config: cfg,
		// gitleaks builds links to the forge from this; none are wanted.
		Remote: &sources.RemoteInfo{Platform: scm.NoPlatform},
		Sema:   d.Sema,
	}}
	raw, err := d.DetectSource(ctx, src)
	if err == nil {
		err = ctx.Err()
	}
	if err == nil && src.failed.Load() {
		err = fmt.Errorf("git log reported an error")
	}
	if err != nil {
		return nil, gitError(err)
	}
	return raw, nil
}

// history wraps gitleaks' git source to notice when git fails: gitleaks
// only logs it and carries on with what it got.
type history struct {
	git    *sources.Git
	failed atomic.Bool
}

// Fragments implements sources.Source.
func (h *history) Fragments(ctx context.Context, yield sources.FragmentsFunc) error {
	return h.git.Fragments(ctx, func(f sources.Fragment, err error) error {
		if err != nil {
			h.failed.Store(true)
			return nil
		}
		return yield(f, nil)
	})
}

// historyFile maps a path in the repository to one in the app's folder,
// and rejects what the working tree scan would skip too: vendored code
// (unless included) and the generated .runway folder.
func historyFile(file, prefix string, includeVendored bool) (string, bool) {
	rel, ok := strings.CutPrefix(file, prefix)
	if !ok {
		return "", false
	}
	elems := strings.Split(rel, "/")
	for _, e := range elems[:len(elems)-1] {
		if e == ".runway" || (vendoredDirs[e] && !includeVendored) {
			return "", false
		}
	}
	return rel, true
}

func gitError(err error) error {
	return &runway.Error{Code: runway.EUNAVAILABLE, Message: "the git history could not be read. Check that `git log --all` works in the app's folder, or run the check without --history.", Err: err}
}
