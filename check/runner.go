// Package check is the gate behind `runway check`: it reads the manifest,
// runs every Check (concurrently where they do not depend on each other,
// each with a timeout and its output captured), collects the findings and
// asks a Decider for the decision.
//
// It holds the rules of the gate; the checks themselves live in their own
// packages (or command.go for the app's own build, lint and test commands).
// It imports the root package and manifest, nothing else of Runway.
package check

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/runwayhq/runway"
)

// Observer hears about checks as they start and finish, to show progress.
// Calls come from several goroutines; implementations must be safe for that.
type Observer interface {
	CheckStarted(name string)
	CheckFinished(res runway.CheckResult)
}

// Runner runs the gate.
type Runner struct {
	Checks []runway.Check
	// Decider decides from the results; nil means StatusDecider.
	Decider runway.Decider
	// Observer, when set, hears progress.
	Observer Observer
	// Timeout bounds each check; zero means DefaultTimeout.
	Timeout time.Duration
	// Parallel bounds how many checks run at once; zero means the number of
	// CPUs, at least 2.
	Parallel int
	// Version is Runway's version, recorded in the report.
	Version string
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// Skip names checks not to run; they are reported as skipped, so that
	// policy knows they did not run.
	Skip []string
	// Inventory, when set, lists the app's dependencies. The runner calls
	// it once per run, before any check starts, so that every check sees
	// the app as it was given, not halfway through a build that reinstalls
	// its dependencies.
	Inventory func(dir string) (*runway.Inventory, error)
}

// DefaultTimeout bounds a check when the Runner sets none.
const DefaultTimeout = 10 * time.Minute

// Run checks the app in dir and writes artifacts under outDir (default
// dir/.runway). It returns an error only when the gate itself cannot run:
// the report carries everything the checks found.
func (r *Runner) Run(ctx context.Context, dir, outDir string) (*runway.Report, error) {
	now := r.Now
	if now == nil {
		now = time.Now
	}
	start := now()
	ws, err := workspace(dir, outDir)
	if err != nil {
		return nil, err
	}
	if r.Inventory != nil {
		inv, err := r.Inventory(ws.Dir)
		ws.Inventory = func() (*runway.Inventory, error) { return inv, err }
	}
	if err := validate(r.Checks, r.Skip); err != nil {
		return nil, err
	}
	rep := &runway.Report{
		Schema:            runway.ReportSchema,
		RunwayVersion:     r.Version,
		StartedAt:         start.UTC(),
		ApprovalsRequired: []runway.Role{},
		Findings:          []runway.Finding{},
	}
	res, findings, accepted := r.manifestStep(ws, now)
	rep.Checks = append(rep.Checks, res)
	rep.Findings = append(rep.Findings, findings...)
	if ws.Manifest != nil {
		rep.App = ws.Manifest.Name
	}
	for _, o := range r.runAll(ctx, ws, now) {
		rep.Checks = append(rep.Checks, o.result)
		rep.Findings = append(rep.Findings, o.findings...)
		if o.sbom != nil {
			rep.SBOM = o.sbom
		}
	}
	rep.Findings = append(rep.Findings, suppress(ws, accepted, rep.Findings, now())...)
	sortFindings(rep.Findings)
	decider := r.Decider
	if decider == nil {
		decider = StatusDecider{}
	}
	if err := decider.Decide(ctx, ws, rep); err != nil {
		return nil, err
	}
	rep.DurationMS = now().Sub(start).Milliseconds()
	return rep, nil
}

// OutDir returns where artifacts of the app in dir go: out when set, else
// dir/.runway.
func OutDir(dir, out string) string {
	if out != "" {
		return out
	}
	return filepath.Join(dir, ".runway")
}

// workspace resolves the folders and checks that dir is one.
func workspace(dir, outDir string) (*runway.Workspace, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	st, err := os.Stat(abs)
	if err != nil || !st.IsDir() {
		return nil, runway.Errorf(runway.EINVALID, "%s is not a folder: give the path of your app's folder, the one that holds runway.yaml", dir)
	}
	if outDir, err = filepath.Abs(OutDir(abs, outDir)); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(outDir, "logs"), 0o755); err != nil {
		return nil, &runway.Error{Code: runway.EINVALID, Message: fmt.Sprintf("cannot write artifacts to %s; choose another folder with --out", outDir), Err: err}
	}
	return &runway.Workspace{Dir: abs, OutDir: outDir}, nil
}

// validate refuses a set of checks with duplicate names or unknown needs
// (a wiring bug) and a skip naming no check (a usage error).
func validate(checks []runway.Check, skip []string) error {
	names := map[string]bool{manifestCheck: true}
	for _, c := range checks {
		if names[c.Name()] {
			return fmt.Errorf("check %q registered twice", c.Name())
		}
		names[c.Name()] = true
	}
	for _, c := range checks {
		for _, n := range c.Needs() {
			if !names[n] {
				return fmt.Errorf("check %q needs unknown check %q", c.Name(), n)
			}
		}
	}
	for _, n := range skip {
		if !names[n] || n == manifestCheck {
			var list []string
			for _, c := range checks {
				list = append(list, c.Name())
			}
			return runway.Errorf(runway.EINVALID, "there is no check %q to skip; the checks are: %s", n, strings.Join(list, ", "))
		}
	}
	return nil
}

type outcome struct {
	result   runway.CheckResult
	findings []runway.Finding
	sbom     *runway.SBOMSummary
	// broken is true when dependents must not run: the check failed, or
	// was skipped because something it needs is broken.
	broken bool
	done   chan struct{}
}

// runAll runs the checks, each once all it Needs are done, at most
// Parallel at a time, and returns the outcomes in registration order.
func (r *Runner) runAll(ctx context.Context, ws *runway.Workspace, now func() time.Time) []*outcome {
	parallel := r.Parallel
	if parallel <= 0 {
		parallel = max(2, runtime.NumCPU())
	}
	slots := make(chan struct{}, parallel)
	outs := make(map[string]*outcome, len(r.Checks))
	list := make([]*outcome, len(r.Checks))
	for i, c := range r.Checks {
		list[i] = &outcome{done: make(chan struct{})}
		outs[c.Name()] = list[i]
	}
	var wg sync.WaitGroup
	for i, c := range r.Checks {
		wg.Add(1)
		go func(c runway.Check, o *outcome) {
			defer wg.Done()
			defer close(o.done)
			for _, n := range c.Needs() {
				if dep, ok := outs[n]; ok {
					<-dep.done
					if dep.broken {
						o.result = runway.CheckResult{Name: c.Name(), Status: runway.StatusSkipped, Summary: fmt.Sprintf("Not run because `%s` did not pass.", n)}
						o.broken = true
						r.observe(o.result, nil)
						return
					}
				}
			}
			if slices.Contains(r.Skip, c.Name()) {
				o.result = runway.CheckResult{Name: c.Name(), Status: runway.StatusSkipped, Summary: "Not run: skipped on request (--skip)."}
				r.observe(o.result, nil)
				return
			}
			slots <- struct{}{}
			defer func() { <-slots }()
			var out runway.CheckOutcome
			o.result, out = r.runOne(ctx, c, ws, now)
			o.findings, o.sbom = out.Findings, out.SBOM
			r.observe(o.result, nil)
			o.broken = o.result.Status == runway.StatusFail || o.result.Status == runway.StatusError
		}(c, list[i])
	}
	wg.Wait()
	return list
}

// runOne runs a check with its timeout and its log, turning a panic or an
// overrun into an error result.
func (r *Runner) runOne(ctx context.Context, c runway.Check, ws *runway.Workspace, now func() time.Time) (res runway.CheckResult, out runway.CheckOutcome) {
	if r.Observer != nil {
		r.Observer.CheckStarted(c.Name())
	}
	timeout := r.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	start := now()
	log, err := openLog(ws, c.Name())
	if err != nil {
		return runway.CheckResult{Name: c.Name(), Status: runway.StatusError, Summary: err.Error()}, out
	}
	defer func() {
		if p := recover(); p != nil {
			res = runway.CheckResult{Name: c.Name(), Status: runway.StatusError, Summary: fmt.Sprintf("The check crashed (%v). This is a bug in Runway; please report it with the log.", p)}
			out = runway.CheckOutcome{}
		}
		res.DurationMS = now().Sub(start).Milliseconds()
		res.Log = log.close()
	}()
	out = c.Run(ctx, ws, log)
	res = runway.CheckResult{Name: c.Name(), Status: out.Status, Summary: out.Summary, Details: out.Details}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		res.Status = runway.StatusError
		res.Summary = fmt.Sprintf("Stopped after %s, the time limit for a check. Make it faster, or raise the limit with --timeout.", timeout)
	}
	for i := range out.Findings {
		out.Findings[i].Check = c.Name()
	}
	return res, out
}

func (r *Runner) observe(res runway.CheckResult, findings []runway.Finding) (runway.CheckResult, []runway.Finding) {
	if r.Observer != nil {
		r.Observer.CheckFinished(res)
	}
	return res, findings
}

// sortFindings puts blocking and severe findings first, then by place.
func sortFindings(fs []runway.Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.Blocking != b.Blocking {
			return a.Blocking
		}
		if a.Severity.Rank() != b.Severity.Rank() {
			return a.Severity.Rank() < b.Severity.Rank()
		}
		if a.File != b.File {
			return a.File < b.File
		}
		return a.Line < b.Line
	})
}
