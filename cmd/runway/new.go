package main

import (
	"bufio"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/spf13/cobra"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/templates"
)

type newFlags struct {
	name, owner, description, audience, risk string
	data                                     []string
	users                                    int
	yes                                      bool
}

var audienceChoices = []choice{
	{"personal", "Only you use it, for example a demo or a personal tool."},
	{"team", "Your team uses it."},
	{"org", "People across the whole organisation use it."},
	{"external", "People outside the organisation (customers, partners) use it."},
}

var dataChoices = []choice{
	{"internal", "Company information that is not public."},
	{"pii", "Personal data about people: names, e-mail addresses, employee records."},
	{"financial", "Money: payments, invoices, salaries, bank details."},
	{"health", "Anything about people's health."},
	{"credentials", "Passwords or keys that give access to other systems."},
}

func (a *app) newCommand() *cobra.Command {
	var f newFlags
	cmd := &cobra.Command{
		Use:   "new TEMPLATE DIR",
		Short: "Start a new app from a curated template",
		Long: "Create a new app in DIR from TEMPLATE (see `runway templates`). On a terminal it asks for what it needs; " +
			"otherwise pass --owner and either the other flags or --yes to accept the defaults. Existing files are never overwritten.",
		Example: "  runway new node-api expense-approvals\n  runway new node-api /tmp/demo --name demo --owner web --yes",
		Args:    exactArgs(2, "a template and a folder, for example: runway new node-api my-app"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.scaffold(cmd, args[0], args[1], f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.name, "name", "", "the app's name (default: the folder's name)")
	fl.StringVar(&f.owner, "owner", "", "the team that owns the app")
	fl.StringVar(&f.description, "description", "", "one sentence saying what the app does")
	fl.StringVar(&f.audience, "audience", "", "who uses it: personal, team, org or external (default team)")
	fl.StringSliceVar(&f.data, "data", nil, "kinds of data it handles: internal, pii, financial, health, credentials")
	fl.StringVar(&f.risk, "risk", "", "declared risk: low, medium or high (default: suggested from audience and data)")
	fl.IntVar(&f.users, "users", 0, "roughly how many people will use it")
	fl.BoolVarP(&f.yes, "yes", "y", false, "do not ask; use defaults for what is not given")
	return cmd
}

func (a *app) scaffold(cmd *cobra.Command, ref, dir string, f newFlags) error {
	t, err := templates.Find(ref)
	if err != nil {
		return err
	}
	if f.name == "" {
		f.name = slug(filepath.Base(filepath.Clean(dir)))
	}
	if !f.yes && a.terminal(a.in) {
		if err := a.interview(t, &f); err != nil {
			return err
		}
	} else if err := missingFlags(cmd, f); err != nil {
		return err
	}
	opt := templates.Options{
		Name: f.name, Owner: f.owner, Description: f.description, ExpectedUsers: f.users,
		Audience: runway.Audience(f.audience), Risk: runway.RiskLevel(f.risk),
	}
	if opt.Audience == "" {
		opt.Audience = runway.AudienceTeam
	}
	for _, d := range f.data {
		opt.Data = append(opt.Data, runway.DataClass(d))
	}
	written, err := templates.Scaffold(t, dir, opt)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.out, "Created %s from %s in %s (%d files).\n\nNext steps:\n", opt.Name, t.Ref(), dir, len(written))
	fmt.Fprintf(a.out, "  1. Check it:   cd %s && runway check\n", dir)
	fmt.Fprintf(a.out, "  2. Change it:  open README.md; it says which file does what and how to run the app.\n")
	fmt.Fprintf(a.out, "  3. Ship it:    put the folder in a Git repository and push; CI runs the same checks and sends it to the platform.\n")
	return nil
}

// interview asks, on a terminal, for what the flags did not give.
func (a *app) interview(t templates.Template, f *newFlags) error {
	p := &prompter{in: bufio.NewReader(a.in), out: a.out}
	fmt.Fprintf(a.out, "New app from %s: %s\n\n", t.Ref(), t.Description)
	var err error
	if f.name, err = p.ask("App name (lowercase letters, digits and dashes; part of its web address)", f.name); err != nil {
		return err
	}
	for f.owner == "" {
		if f.owner, err = p.ask("Owning team (as the platform knows it, for example finance)", ""); err != nil {
			return err
		}
	}
	if f.audience == "" {
		fmt.Fprintln(a.out, "\nWho will use it?")
		if f.audience, err = p.choose("Audience", audienceChoices, "team"); err != nil {
			return err
		}
	}
	if f.data == nil {
		fmt.Fprintln(a.out, "\nWhat kinds of data will it read or store? This decides which checks and approvals apply.")
		if f.data, err = p.chooseMany("Data", dataChoices); err != nil {
			return err
		}
	}
	fmt.Fprintln(a.out)
	return nil
}

// missingFlags explains what a non-interactive run lacks.
func missingFlags(cmd *cobra.Command, f newFlags) error {
	if f.owner == "" {
		return usageError(cmd, "Say which team owns the app with --owner (for example --owner finance). On a terminal, runway new asks for it.")
	}
	if !f.yes && !cmd.Flags().Changed("audience") {
		return usageError(cmd, "Say who will use the app with --audience personal|team|org|external and what data it handles with --data, or pass --yes to accept the defaults (audience team, no sensitive data).")
	}
	return nil
}

var notSlug = regexp.MustCompile(`[^a-z0-9]+`)

// slug turns a folder name into an app name: "My App" → "my-app".
func slug(s string) string {
	return strings.Trim(notSlug.ReplaceAllString(strings.ToLower(s), "-"), "-")
}
