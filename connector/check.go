package connector

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/yamlfile"
)

// Step wraps one of the gate's command checks (build, lint or test) so
// that it knows connectors. For an app without connector.yaml it is the
// command check, unchanged. For a connector it runs the command too when
// runway.yaml declares one, and then:
//
//   - build: nothing to build (Runway runs connector.yaml as it is);
//   - lint: connector.yaml against its schema and runway.yaml (each
//     integration declared, with a secret where an action needs one),
//     every expression type-checked, every example well formed; its
//     details carry the facts policy reads as input.connector;
//   - test: every example in tests/, against recording stubs.
func Step(cmd runway.Check) runway.Check { return &gateStep{cmd: cmd} }

type gateStep struct{ cmd runway.Check }

// Name implements runway.Check.
func (g *gateStep) Name() string { return g.cmd.Name() }

// Needs implements runway.Check.
func (g *gateStep) Needs() []string { return g.cmd.Needs() }

// Run implements runway.Check.
func (g *gateStep) Run(ctx context.Context, ws *runway.Workspace, log io.Writer) runway.CheckOutcome {
	if ws.Manifest == nil || !Exists(ws.Dir) {
		return g.cmd.Run(ctx, ws, log)
	}
	var own runway.CheckOutcome
	switch g.Name() {
	case "build":
		own = runway.CheckOutcome{Status: runway.StatusSkipped, Summary: "A connector has nothing to build: Runway runs connector.yaml as it is."}
	case "lint":
		own = lint(ws, log)
	case "test":
		own = test(ctx, ws, log)
	default:
		return g.cmd.Run(ctx, ws, log)
	}
	if declared(ws.Manifest.Run, g.Name()) == "" {
		return own
	}
	first := g.cmd.Run(ctx, ws, log)
	if first.Status == runway.StatusFail || first.Status == runway.StatusError || own.Status == runway.StatusSkipped {
		return first
	}
	own.Summary = first.Summary + " " + own.Summary
	own.Findings = append(first.Findings, own.Findings...)
	if first.Status == runway.StatusWarn && own.Status == runway.StatusPass {
		own.Status = runway.StatusWarn
	}
	return own
}

// declared returns the manifest's command for a step.
func declared(r runway.RunSpec, name string) string {
	return map[string]string{"build": r.Build, "lint": r.Lint, "test": r.Test}[name]
}

// lint checks connector.yaml and the examples without running anything.
func lint(ws *runway.Workspace, log io.Writer) runway.CheckOutcome {
	c, findings := loadForGate(ws)
	if c == nil {
		fmt.Fprintln(log, findingsText(findings))
		return runway.CheckOutcome{Status: runway.StatusFail, Summary: fmt.Sprintf("connector.yaml has %d %s.", len(findings), plural(len(findings), "problem")), Findings: findings}
	}
	files, _ := ExampleFiles(ws.Dir)
	for _, f := range files {
		if _, err := LoadExample(ws.Dir, f, c); err != nil {
			findings = append(findings, lintFindings(err, f)...)
		}
	}
	facts := c.Facts()
	details := map[string]any{"connector": facts, "outbound_hosts": facts.Hosts}
	fmt.Fprintf(log, "connector.yaml: %s trigger, %d steps, actions %s, hosts %s\n", facts.Trigger.Kind, facts.Steps, strings.Join(facts.Actions, ", "), strings.Join(facts.Hosts, ", "))
	if len(findings) > 0 {
		fmt.Fprintln(log, findingsText(findings))
		return runway.CheckOutcome{Status: runway.StatusFail, Summary: fmt.Sprintf("The examples have %d %s.", len(findings), plural(len(findings), "problem")), Findings: findings, Details: details}
	}
	return runway.CheckOutcome{Status: runway.StatusPass, Details: details,
		Summary: fmt.Sprintf("connector.yaml is valid: %d %s, every expression type-checked.", facts.Steps, plural(facts.Steps, "step"))}
}

// test runs the examples against recording stubs.
func test(ctx context.Context, ws *runway.Workspace, log io.Writer) runway.CheckOutcome {
	c, _ := loadForGate(ws)
	if c == nil {
		return runway.CheckOutcome{Status: runway.StatusSkipped, Summary: "Not run because connector.yaml has problems (see lint); fix them first."}
	}
	files, err := ExampleFiles(ws.Dir)
	if err != nil {
		return runway.CheckOutcome{Status: runway.StatusError, Summary: err.Error()}
	}
	if len(files) == 0 {
		return runway.CheckOutcome{Status: runway.StatusSkipped, Summary: "The connector has no examples: add one to tests/ (README.md shows how)."}
	}
	var results []Result
	var findings []runway.Finding
	for _, f := range files {
		ex, err := LoadExample(ws.Dir, f, c)
		if err != nil {
			return runway.CheckOutcome{Status: runway.StatusSkipped, Summary: "Not run because the examples have problems (see lint); fix them first."}
		}
		r := c.Test(ctx, ex)
		results = append(results, r)
		if !r.Passed() {
			findings = append(findings, exampleFinding(r))
		}
	}
	passed, failed := WriteResults(log, results)
	out := runway.CheckOutcome{Status: runway.StatusPass, Details: map[string]any{"examples": len(results), "passed": passed},
		Summary: fmt.Sprintf("%d %s passed (connector examples, against recording stubs).", passed, plural(passed, "example"))}
	if failed > 0 {
		out.Status = runway.StatusFail
		out.Summary = fmt.Sprintf("%d of %d connector examples failed.", failed, len(results))
		out.Findings = findings
	}
	return out
}

// loadForGate loads the connector, its problems as findings.
func loadForGate(ws *runway.Workspace) (*Connector, []runway.Finding) {
	c, err := Load(ws.Dir, ws.Manifest)
	if err != nil {
		return nil, lintFindings(err, File)
	}
	return c, nil
}

// lintFindings turns a file's problems into blocking lint findings.
func lintFindings(err error, file string) []runway.Finding {
	var ye *yamlfile.Error
	if !errors.As(err, &ye) {
		return []runway.Finding{{ID: runway.FindingID("connector", file, err.Error()), Kind: runway.KindLint, Severity: runway.SeverityHigh,
			Title: file + " cannot be read", Message: err.Error(), File: file, Rule: "connector-invalid", Blocking: true,
			Fix: "Check that the file exists and is readable."}}
	}
	var out []runway.Finding
	for _, p := range ye.Problems {
		fix := p.Hint
		if fix == "" {
			fix = "Correct " + ye.File + " at the line shown."
		}
		out = append(out, runway.Finding{
			ID: runway.FindingID("connector", ye.File, p.Path, p.Message), Kind: runway.KindLint, Severity: runway.SeverityHigh,
			Title: ye.File + ": " + p.Message, Message: p.Message, File: ye.File, Line: p.Line, Column: p.Column,
			Rule: "connector-invalid", Fix: fix + " `runway schema connector` describes every key.", Blocking: true,
		})
	}
	return out
}

func exampleFinding(r Result) runway.Finding {
	return runway.Finding{
		ID: runway.FindingID("connector-example", r.File), Kind: runway.KindTest, Severity: runway.SeverityHigh,
		Title: "Example " + r.File + " fails", Message: strings.Join(r.Failures, "\n"), File: r.File, Line: 1,
		Rule: "connector-example-failed", Blocking: true,
		Fix: "The connector no longer does what this example expects. Run `runway connector test` to see why; " +
			"fix connector.yaml, or, if the behaviour changed on purpose, update the example to match.",
	}
}

func findingsText(fs []runway.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "%s:%d:%d: %s\n", f.File, f.Line, f.Column, f.Message)
	}
	return b.String()
}
