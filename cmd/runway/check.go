package main

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/check"
	"github.com/runwayhq/runway/config"
	"github.com/runwayhq/runway/connector"
	"github.com/runwayhq/runway/opa"
	"github.com/runwayhq/runway/report"
	"github.com/runwayhq/runway/scanner/inventory"
	"github.com/runwayhq/runway/scanner/osv"
	"github.com/runwayhq/runway/scanner/sast"
	"github.com/runwayhq/runway/scanner/sbom"
	"github.com/runwayhq/runway/scanner/secrets"
)

type checkFlags struct {
	format  string
	out     string
	timeout time.Duration
	color   string
	quiet   bool
	// history also scans the git history for secrets; vendored also scans
	// node_modules and vendor.
	history, vendored bool
	// sarif are other tools' results to merge into the findings.
	sarif []string
	// vulnDB is the vulnerability database folder.
	vulnDB string
	// skip names checks not to run.
	skip []string
	// policies and exceptions replace the config's; environment is what
	// the decision is for.
	policies    []string
	exceptions  string
	environment string
}

func (a *app) checkCommand() *cobra.Command {
	var f checkFlags
	cmd := &cobra.Command{
		Use:   "check [DIR]",
		Short: "Run the gate on an app: the same checks as CI",
		Long: "Run the gate on the app in DIR (default: the current folder): the manifest, the app's build, lint and test commands, " +
			"secrets, vulnerable dependencies (offline, see `runway db`), risky code, the SBOM, and then policy as code decides " +
			"the tier, the approvals and whether anything blocks. Artifacts (report.json, report.sarif, report.md, codequality.json, " +
			"sbom.cdx.json, sbom.spdx.json, policy-input.json, logs/) go to DIR/.runway/.\n\n" +
			"Exit codes: 0 pass or needs approval, 1 blocked, 2 usage or configuration error, 3 internal error.",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usageError(cmd, "runway check takes one folder.")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := "."
			if len(args) == 1 {
				dir = args[0]
			}
			return a.check(cmd, dir, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.format, "format", "text", "output format: text, json, markdown, sarif or github")
	fl.StringVar(&f.out, "out", "", "folder for artifacts (default DIR/.runway)")
	fl.DurationVar(&f.timeout, "timeout", 0, "time limit for each check (default 10m, or check.timeout in the config)")
	fl.StringVar(&f.color, "color", "", "colours in text output: auto, always or never")
	fl.BoolVarP(&f.quiet, "quiet", "q", false, "do not show progress while checks run")
	fl.StringSliceVar(&f.skip, "skip", nil, "checks not to run, such as --skip sast,test (policy then treats their scans as not run)")
	fl.BoolVar(&f.history, "history", false, "also look for secrets in the whole git history")
	fl.BoolVar(&f.vendored, "include-vendored", false, "also scan node_modules and vendor folders for secrets")
	fl.StringArrayVar(&f.policies, "policy", nil, "a folder or bundle archive of the organisation's policies, evaluated beside the built-in ones; repeatable (default: policy.dirs in the config, or RUNWAY_POLICY)")
	fl.StringVar(&f.exceptions, "exceptions", "", "a file of time-limited policy exceptions (default: policy.exceptions in the config)")
	fl.StringVar(&f.environment, "environment", "production", "what the decision is for: sandbox, staging or production")
	fl.StringVar(&f.vulnDB, "vuln-db", "", "vulnerability database folder (default: RUNWAY_VULN_DB, vuln.db in the config, or ~/.cache/runway/vulndb)")
	fl.StringArrayVar(&f.sarif, "sarif", nil, "merge another tool's SARIF results (Semgrep, CodeQL, ESLint) into the findings; repeatable")
	return cmd
}

func (a *app) check(cmd *cobra.Command, dir string, f checkFlags) error {
	format, err := report.ParseFormat(f.format)
	if err != nil {
		return err
	}
	for i, s := range f.sarif {
		if f.sarif[i], err = filepath.Abs(s); err != nil {
			return err
		}
	}
	if f.color != "" {
		if err := config.ValidColor(f.color); err != nil {
			return err
		}
	}
	timeout := time.Duration(a.cfg.Check.Timeout)
	if f.timeout > 0 {
		timeout = f.timeout
	}
	policies := a.cfg.Policy.Dirs
	if len(f.policies) > 0 {
		policies = f.policies
	}
	// Compiling the policies takes tens of milliseconds: it happens while
	// the checks run, and a broken policy stops them at once.
	ctx, cancel := context.WithCancelCause(cmd.Context())
	defer cancel(nil)
	engine := startEngine(ctx, cancel, opa.Options{
		Policies:    policies,
		Exceptions:  cmp.Or(f.exceptions, a.cfg.Policy.Exceptions),
		Environment: f.environment,
	})
	runner := &check.Runner{
		Checks:    a.checks(f),
		Decider:   engine,
		Skip:      f.skip,
		Timeout:   timeout,
		Parallel:  a.cfg.Check.Parallel,
		Version:   version,
		Inventory: inventory.Scan,
	}
	var progress *report.Progress
	if !f.quiet {
		progress = report.NewProgress(a.err, a.terminal(a.err), a.useColor(a.err, f.color))
		runner.Observer = progress
	}
	rep, err := runner.Run(ctx, dir, f.out)
	if progress != nil {
		progress.Stop()
	}
	if cause := context.Cause(ctx); err != nil && cause != nil && cause != context.Canceled {
		return cause
	}
	if err != nil {
		return err
	}
	if err := report.WriteArtifacts(check.OutDir(dir, f.out), rep); err != nil {
		return fmt.Errorf("write artifacts: %w", err)
	}
	opt := report.Options{Color: a.useColor(a.out, f.color)}
	if format == report.GitHub && a.cfg.GitHubStepSummary != "" {
		summary, err := os.OpenFile(a.cfg.GitHubStepSummary, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			return fmt.Errorf("open GitHub step summary: %w", err)
		}
		defer summary.Close()
		opt.GitHubSummary = summary
	}
	if err := report.Write(a.out, format, rep, opt); err != nil {
		return err
	}
	if rep.Decision == runway.DecisionBlocked {
		a.exit = exitBlocked
	}
	return nil
}

// checks are the gate's checks, in the order they are reported.
func (a *app) checks(f checkFlags) []runway.Check {
	return []runway.Check{
		// For a connector, build, lint and test are the connector's own
		// (connector.Step); for other apps, the manifest's commands.
		connector.Step(check.Command{Step: check.Build, Env: a.cfg.Environ}),
		connector.Step(check.Command{Step: check.Lint, Env: a.cfg.Environ}),
		connector.Step(check.Command{Step: check.Test, Env: a.cfg.Environ}),
		secrets.New(secrets.Options{History: f.history, IncludeVendored: f.vendored, CacheDir: a.cfg.Check.CacheDir}),
		osv.New(osv.Options{DB: cmp.Or(f.vulnDB, a.cfg.Vuln.DB)}),
		sast.New(sast.Options{SARIF: f.sarif}),
		sbom.New(sbom.Options{Version: version}),
	}
}

// pendingEngine is the policy engine while it compiles: Decide waits for
// it.
type pendingEngine struct {
	done   chan struct{}
	engine *opa.Engine
	err    error
}

// startEngine compiles the policies in the background; when they do not
// compile, it cancels ctx with the reason, which stops the checks.
func startEngine(ctx context.Context, cancel context.CancelCauseFunc, opt opa.Options) *pendingEngine {
	p := &pendingEngine{done: make(chan struct{})}
	go func() {
		defer close(p.done)
		if p.engine, p.err = opa.New(ctx, opt); p.err != nil {
			cancel(p.err)
		}
	}()
	return p
}

// Decide implements runway.Decider.
func (p *pendingEngine) Decide(ctx context.Context, ws *runway.Workspace, r *runway.Report) error {
	<-p.done
	if p.err != nil {
		return p.err
	}
	return p.engine.Decide(ctx, ws, r)
}
