package check

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"time"

	"github.com/runwayhq/runway"
)

// Command is a check that runs one of the app's own commands from the
// manifest's run: section (build, lint or test) with sh -c in the app's
// folder. A missing command is skipped with what to add; a failing one is
// one blocking finding carrying the end of its output.
type Command struct {
	Step Step
	// Env is the environment of the command, as KEY=VALUE. The caller
	// decides what passes through.
	Env []string
}

// Step is one of the app's commands.
type Step struct {
	Name    string
	Kind    runway.FindingKind
	Needs   []string
	command func(runway.RunSpec) string
	example string
	failed  string
	fix     string
}

// The app's steps, in the order they run.
var (
	Build = Step{Name: "build", Kind: runway.KindBuild,
		command: func(r runway.RunSpec) string { return r.Build },
		example: "npm ci",
		failed:  "The app could not be built",
		fix: "Run `%s` in the app's folder to see why. " +
			"With npm, the usual cause is package.json and package-lock.json disagreeing: run `npm install` and commit both files. " +
			"With Go, run `go mod tidy` and commit go.mod and go.sum.",
	}
	Lint = Step{Name: "lint", Kind: runway.KindLint, Needs: []string{"build"},
		command: func(r runway.RunSpec) string { return r.Lint },
		example: "npm run lint",
		failed:  "The linter found problems",
		fix: "Run `%s` in the app's folder to see each problem with its file and line. " +
			"Many linters fix most problems themselves (ESLint: `npx eslint --fix .`, Go: `gofmt -w .`); " +
			"for the rest, paste the output to your AI assistant and ask it to fix the code, then run `runway check` again.",
	}
	Test = Step{Name: "test", Kind: runway.KindTest, Needs: []string{"build"},
		command: func(r runway.RunSpec) string { return r.Test },
		example: "npm test",
		failed:  "Some tests fail",
		fix: "Run `%s` in the app's folder to see which test fails and why. " +
			"A failing test means the app no longer does what the test expects: fix the code, " +
			"or, if you changed the behaviour on purpose, update the test to match. Then run `runway check` again.",
	}
)

// Name implements runway.Check.
func (c Command) Name() string { return c.Step.Name }

// Needs implements runway.Check.
func (c Command) Needs() []string { return c.Step.Needs }

// Run implements runway.Check.
func (c Command) Run(ctx context.Context, ws *runway.Workspace, log io.Writer) runway.CheckOutcome {
	if ws.Manifest == nil {
		return runway.CheckOutcome{Status: runway.StatusSkipped, Summary: "Not run because runway.yaml has problems; fix them first."}
	}
	script := c.Step.command(ws.Manifest.Run)
	if strings.TrimSpace(script) == "" {
		return runway.CheckOutcome{Status: runway.StatusSkipped,
			Summary: fmt.Sprintf("No %s command: add `%s:` under `run:` in runway.yaml (for example `%s: %s`).", c.Step.Name, c.Step.Name, c.Step.Name, c.Step.example)}
	}
	tail := &tailBuffer{max: 16 << 10}
	fmt.Fprintf(log, "$ %s\n", script)
	err := c.exec(ctx, ws.Dir, script, io.MultiWriter(log, tail))
	var exit *exec.ExitError
	switch {
	case err == nil:
		return runway.CheckOutcome{Status: runway.StatusPass, Summary: fmt.Sprintf("`%s` succeeded.", script)}
	case ctx.Err() != nil:
		return runway.CheckOutcome{Status: runway.StatusError, Summary: fmt.Sprintf("`%s` was stopped: %v.", script, context.Cause(ctx))}
	case errors.As(err, &exit):
		return runway.CheckOutcome{
			Status:   runway.StatusFail,
			Summary:  fmt.Sprintf("`%s` failed (%s).", script, exitText(exit)),
			Findings: []runway.Finding{c.finding(script, tail.lines(30))},
		}
	default:
		return runway.CheckOutcome{Status: runway.StatusError, Summary: fmt.Sprintf("`%s` could not start: %v.", script, err)}
	}
}

// exec runs script in its own process group, so that a timeout stops the
// whole tree (npm starts node, which may start more).
func (c Command) exec(ctx context.Context, dir, script string, out io.Writer) error {
	cmd := exec.CommandContext(ctx, "sh", "-c", script)
	cmd.Dir = dir
	cmd.Env = c.Env
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	return cmd.Run()
}

func (c Command) finding(script, excerpt string) runway.Finding {
	return runway.Finding{
		ID:       runway.FindingID(c.Step.Name, script),
		Kind:     c.Step.Kind,
		Severity: runway.SeverityHigh,
		Title:    c.Step.failed,
		Message:  excerpt,
		Rule:     c.Step.Name + "-failed",
		Fix:      fmt.Sprintf(c.Step.fix, script),
		Blocking: true,
	}
}

func exitText(e *exec.ExitError) string {
	if ws, ok := e.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return "stopped by signal " + ws.Signal().String()
	}
	return fmt.Sprintf("exit code %d", e.ExitCode())
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	max int
	buf []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = t.buf[over:]
	}
	return len(p), nil
}

var ansi = regexp.MustCompile(`\x1b\[[0-9;?]*[A-Za-z]`)

// lines returns the last n non-empty lines, without terminal colours.
func (t *tailBuffer) lines(n int) string {
	var out []string
	for _, l := range strings.Split(ansi.ReplaceAllString(string(t.buf), ""), "\n") {
		if l = strings.TrimRight(l, " \r\t"); strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	if len(out) > n {
		out = out[len(out)-n:]
	}
	return strings.Join(out, "\n")
}
