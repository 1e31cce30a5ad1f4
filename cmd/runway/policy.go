package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/check"
	"github.com/runwayhq/runway/opa"
)

func (a *app) policyCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "policy",
		Short: "Write, test and explain policies as code (Rego)",
		Long: "Tools for policy authors. Runway decides with its built-in policies plus the organisation's " +
			"(folders of .rego files or OPA bundle archives, from --policy or policy.dirs in the config). " +
			"docs/policy.md describes the input, the outputs and the built-in rules.\n\n" +
			"Exit codes: 0 fine, 1 failing tests, policy problems or a blocked decision, 2 usage or configuration error.",
	}
	cmd.AddCommand(a.policyTestCommand(), a.policyCheckCommand(), a.policyEvalCommand(), a.policyExplainCommand())
	return cmd
}

func (a *app) policyTestCommand() *cobra.Command {
	var opt opa.TestOptions
	cmd := &cobra.Command{
		Use:   "test [DIR...]",
		Short: "Run the _test.rego tests of policies, like `opa test`",
		Long: "Run the tests (rules named test_... in files ending in _test.rego) of the policies in each DIR " +
			"(a folder, a .rego file or a bundle archive), with the built-in policies loaded beside them. " +
			"Without DIR, test the built-in policies.",
		Example: "  runway policy test policies/\n  runway policy test -v --run deny policies/",
		RunE: func(cmd *cobra.Command, args []string) error {
			sum, err := opa.Test(cmd.Context(), args, a.out, opt)
			if err != nil {
				return err
			}
			if !sum.OK() {
				a.exit = exitBlocked
			}
			return nil
		},
	}
	cmd.Flags().BoolVarP(&opt.Verbose, "verbose", "v", false, "list every test, with the trace of failures")
	cmd.Flags().StringVar(&opt.Run, "run", "", "only run the tests whose name matches this regular expression")
	return cmd
}

func (a *app) policyCheckCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "check [DIR...]",
		Short: "Find parse and compile errors in policies, with their positions",
		Long: "Parse and compile the policies in each DIR (default: the policy folders in the config), with their tests, " +
			"beside the built-in policies, and list every problem as file:line:column with the rule it is in.",
		RunE: func(cmd *cobra.Command, args []string) error {
			paths := args
			if len(paths) == 0 {
				paths = a.cfg.Policy.Dirs
			}
			problems, err := opa.Check(cmd.Context(), paths)
			if err != nil {
				return err
			}
			for _, p := range problems {
				fmt.Fprintln(a.out, p)
			}
			if len(problems) > 0 {
				fmt.Fprintf(a.out, "%d %s. Fix them, then run `runway policy check` again.\n", len(problems), plural(len(problems), "problem", "problems"))
				a.exit = exitBlocked
				return nil
			}
			fmt.Fprintf(a.out, "The policies parse and compile: the built-in ones%s.\n", listed(paths))
			return nil
		},
	}
}

func listed(paths []string) string {
	if len(paths) == 0 {
		return ""
	}
	return " and " + strings.Join(paths, ", ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

type evalFlags struct {
	input, explain, format string
	policies               []string
}

func (a *app) policyEvalCommand() *cobra.Command {
	var f evalFlags
	cmd := &cobra.Command{
		Use:   "eval --input FILE",
		Short: "Decide from a saved policy input, as `runway check` would",
		Long: "Evaluate the built-in and the organisation's policies on a policy input (the .runway/policy-input.json " +
			"that `runway check` writes; edit a copy to try what-ifs) and print the decision as JSON, or as text. " +
			"--explain prints OPA's evaluation trace first: full (the default), notes or fails.",
		Example: "  runway policy eval --input .runway/policy-input.json\n  runway policy eval --input in.json --policy policies/ --explain=fails",
		Args:    exactArgs(0, "no arguments; give the input with --input FILE"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if f.input == "" {
				return usageError(cmd, "runway policy eval needs --input FILE, such as .runway/policy-input.json.")
			}
			if f.explain != "" && !slices.Contains(opa.ExplainModes, f.explain) {
				return usageError(cmd, fmt.Sprintf("--explain %q is not one of full, notes, fails.", f.explain))
			}
			if f.format != "json" && f.format != "text" {
				return usageError(cmd, fmt.Sprintf("--format %q is not one of json, text.", f.format))
			}
			data, err := os.ReadFile(f.input)
			if err != nil {
				return &runway.Error{Code: runway.EINVALID, Message: fmt.Sprintf("cannot read the policy input %s", f.input), Err: err}
			}
			return a.decideAndShow(cmd, data, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.input, "input", "", "the policy input, a JSON file")
	fl.StringVar(&f.explain, "explain", "", "print OPA's trace: full, notes or fails")
	fl.Lookup("explain").NoOptDefVal = "full"
	fl.StringVar(&f.format, "format", "json", "output format: json or text")
	fl.StringArrayVar(&f.policies, "policy", nil, "a folder or bundle of organisation policies (repeatable; default: policy.dirs in the config)")
	return cmd
}

func (a *app) policyExplainCommand() *cobra.Command {
	var f evalFlags
	var out string
	cmd := &cobra.Command{
		Use:   "explain [DIR]",
		Short: "Explain the last decision about an app in plain words",
		Long: "Replay the decision of the last `runway check` of the app in DIR (default: the current folder) from the " +
			"policy input it saved, and explain it: the tier and the facts behind it, every rule that blocks or warns " +
			"with its policy file, the fix and who can grant an exception, and the approvals needed and why.",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usageError(cmd, "runway policy explain takes one folder.")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := "."
			if len(args) == 1 {
				dir = args[0]
			}
			path := filepath.Join(check.OutDir(dir, out), opa.InputFile)
			data, err := os.ReadFile(path)
			if errors.Is(err, fs.ErrNotExist) {
				return runway.Errorf(runway.EINVALID, "there is no %s yet: run `runway check %s` first, then explain its decision", path, dir)
			}
			if err != nil {
				return fmt.Errorf("read %s: %w", path, err)
			}
			f.format = "text"
			return a.decideAndShow(cmd, data, f)
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "the artifacts folder of that check (default DIR/.runway)")
	cmd.Flags().StringArrayVar(&f.policies, "policy", nil, "a folder or bundle of organisation policies (repeatable; default: policy.dirs in the config)")
	return cmd
}

// decideAndShow evaluates a saved input and prints the decision; a blocked
// decision exits 1.
func (a *app) decideAndShow(cmd *cobra.Command, input []byte, f evalFlags) error {
	policies := f.policies
	if len(policies) == 0 {
		policies = a.cfg.Policy.Dirs
	}
	engine, err := opa.New(cmd.Context(), opa.Options{Policies: policies})
	if err != nil {
		return err
	}
	var trace *strings.Builder
	if f.explain != "" {
		trace = &strings.Builder{}
	}
	d, err := engine.Eval(cmd.Context(), input, writerOrNil(trace), f.explain)
	if trace != nil {
		fmt.Fprint(a.out, trace.String())
	}
	if err != nil {
		return err
	}
	if f.format == "text" {
		err = d.Explain(a.out)
	} else {
		enc := json.NewEncoder(a.out)
		enc.SetIndent("", "  ")
		err = enc.Encode(d)
	}
	if d.Decision == runway.DecisionBlocked {
		a.exit = exitBlocked
	}
	return err
}

// writerOrNil keeps a nil builder from becoming a non-nil io.Writer.
func writerOrNil(b *strings.Builder) io.Writer {
	if b == nil {
		return nil
	}
	return b
}
