package opa

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/open-policy-agent/opa/v1/tester"

	"github.com/runwayhq/runway"
)

// TestOptions configure Test.
type TestOptions struct {
	// Verbose lists every test, with notes and failures traced, like
	// `opa test -v`.
	Verbose bool
	// Run keeps only the tests whose name matches this regular expression.
	Run string
	// Timeout bounds each test; zero means 5 seconds, as in opa test.
	Timeout time.Duration
}

// TestSummary counts the results of Test.
type TestSummary struct {
	Passed, Failed, Errored, Skipped int
}

// OK reports whether tests ran and none failed.
func (s TestSummary) OK() bool {
	return s.Passed > 0 && s.Failed == 0 && s.Errored == 0
}

// Test runs the _test.rego tests of the policies in paths, with the
// built-in policies loaded beside them so that tests may use them. With no
// paths it tests the built-in policies. It follows `opa test`: test rules
// are named test_*, todo_test_* are skipped, and w gets opa test's report.
// Policies that do not parse or compile are an EINVALID error listing the
// problems.
func Test(ctx context.Context, paths []string, w io.Writer, opt TestOptions) (TestSummary, error) {
	var sum TestSummary
	ps, problems, err := loadPolicySet(ctx, loadOptions{paths: paths, tests: true, builtinTests: len(paths) == 0, parseOnly: true})
	if err != nil {
		return sum, err
	}
	if len(problems) > 0 {
		return sum, problemsError("policy files have problems", problems)
	}
	txn, err := ps.store.NewTransaction(ctx)
	if err != nil {
		return sum, fmt.Errorf("open policy data: %w", err)
	}
	defer ps.store.Abort(ctx, txn)
	timeout := opt.Timeout
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	runner := tester.NewRunner().
		SetCompiler(ps.newCompiler(ctx, txn)).
		SetStore(ps.store).
		SetModules(ps.modules).
		CapturePrintOutput(true).
		EnableTracing(opt.Verbose).
		SetTimeout(timeout).
		Filter(opt.Run)
	ch, err := runner.RunTests(ctx, txn)
	if err != nil {
		if ctx.Err() != nil {
			return sum, ctx.Err()
		}
		return sum, problemsError("policy files have problems", astProblems(err, indexRules(ps.modules), ps.texts))
	}
	counted := make(chan *tester.Result)
	go func() {
		defer close(counted)
		for r := range ch {
			sum.add(r)
			counted <- r
		}
	}()
	if err := (tester.PrettyReporter{Output: w, Verbose: opt.Verbose}).Report(counted); err != nil {
		return sum, fmt.Errorf("report test results: %w", err)
	}
	if sum == (TestSummary{}) {
		return sum, runway.Errorf(runway.EINVALID, "no tests were found: a test is a rule named test_... in a file ending in _test.rego")
	}
	return sum, nil
}

func (s *TestSummary) add(r *tester.Result) {
	switch {
	case r.Skip:
		s.Skipped++
	case r.Error != nil:
		s.Errored++
	case r.Fail:
		s.Failed++
	default:
		s.Passed++
	}
}

// Check parses and compiles the policies in paths beside the built-in ones,
// with their tests, and returns every problem with its file, line and rule;
// none means they are fine. Paths that cannot be read are an error.
func Check(ctx context.Context, paths []string) ([]Problem, error) {
	_, problems, err := loadPolicySet(ctx, loadOptions{paths: paths, tests: true})
	return problems, err
}
