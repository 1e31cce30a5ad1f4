package main

import (
	"fmt"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/runwayhq/runway"
)

// page is a list answer of the API.
type page[T any] struct {
	Items []T    `json:"items"`
	Next  *int64 `json:"next"`
}

// listFlags are the paging and output flags of the list commands.
type listFlags struct {
	output string
	limit  int
	after  int64
}

func (f *listFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVarP(&f.output, "output", "o", "text", "text or json")
	cmd.Flags().IntVar(&f.limit, "limit", 50, "how many to list (1-1000)")
	cmd.Flags().Int64Var(&f.after, "after", 0, "continue after this cursor (the `next` a previous page printed)")
}

func (f *listFlags) query(kv ...string) string {
	return query(append(kv, "limit", strconv.Itoa(f.limit), "after", strconv.FormatInt(f.after, 10))...)
}

// outputFlag adds --output to a show command.
func outputFlag(cmd *cobra.Command) *string {
	return cmd.Flags().StringP("output", "o", "text", "text or json")
}

// printPage prints a list in text or JSON, with how to get the next page.
func printPage[T any](a *app, cmd *cobra.Command, f *listFlags, p page[T], header string, row func(T) string) error {
	if f.output == "json" {
		return a.printJSON(p)
	}
	if f.output != "text" {
		return usageError(cmd, fmt.Sprintf("--output %q is not one of text, json.", f.output))
	}
	tw := tabwriter.NewWriter(a.out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, header)
	for _, item := range p.Items {
		fmt.Fprintln(tw, row(item))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if p.Next != nil {
		fmt.Fprintf(a.out, "\nMore: %s --after %d\n", cmd.CommandPath(), *p.Next)
	}
	return nil
}

// stamp writes a time for a table, in local time to the minute.
func stamp(t time.Time) string { return t.Local().Format("2006-01-02 15:04") }

func (a *app) appsCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "apps", Short: "List and show the platform's apps"}
	var f listFlags
	var team, search string
	var tier int
	list := &cobra.Command{
		Use: "list", Short: "List apps", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := a.client()
			if err != nil {
				return err
			}
			var p page[runway.App]
			if err := c.do(cmd.Context(), "GET", "/api/v1/apps"+f.query("team", team, "q", search, "tier", strconv.Itoa(tier)), nil, &p); err != nil {
				return err
			}
			return printPage(a, cmd, &f, p, "APP\tTEAM\tTIER\tUPDATED", func(x runway.App) string {
				return fmt.Sprintf("%s\t%s\t%d\t%s", x.Name, x.Team, x.Tier, stamp(x.UpdatedAt))
			})
		},
	}
	f.add(list)
	list.Flags().StringVar(&team, "team", "", "only this team's apps")
	list.Flags().StringVar(&search, "search", "", "only apps whose name contains this")
	list.Flags().IntVar(&tier, "tier", 0, "only apps of this tier (1, 2 or 3)")
	show := &cobra.Command{
		Use: "show APP", Short: "Show an app", Args: exactArgs(1, "the app's name"),
	}
	output := outputFlag(show)
	show.RunE = func(cmd *cobra.Command, args []string) error {
		c, err := a.client()
		if err != nil {
			return err
		}
		var x runway.App
		if err := c.do(cmd.Context(), "GET", "/api/v1/apps/"+urlPath(args[0]), nil, &x); err != nil {
			return err
		}
		if *output == "json" {
			return a.printJSON(x)
		}
		fmt.Fprintf(a.out, "%s (team %s, tier %d)\n%s\nAudience: %s · data: %v · registered %s\n", x.Name, x.Team, x.Tier, x.Manifest.Description, x.Manifest.Audience, x.Manifest.Data, stamp(x.CreatedAt))
		return nil
	}
	cmd.AddCommand(list, show)
	return cmd
}

func (a *app) candidatesCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "candidates", Short: "List and show release candidates and the server's decisions"}
	var f listFlags
	var app, decision string
	list := &cobra.Command{
		Use: "list", Short: "List candidates, newest first", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := a.client()
			if err != nil {
				return err
			}
			path := "/api/v1/candidates"
			if app != "" {
				path = "/api/v1/apps/" + urlPath(app) + "/candidates"
			}
			var p page[runway.Candidate]
			if err := c.do(cmd.Context(), "GET", path+f.query("decision", decision), nil, &p); err != nil {
				return err
			}
			return printPage(a, cmd, &f, p, "APP\t#\tDECISION\tTIER\tBY\tWHEN", func(x runway.Candidate) string {
				return fmt.Sprintf("%s\t%d\t%s\t%d\t%s\t%s", x.App, x.Number, x.Decision, x.Tier, x.SubmittedBy, stamp(x.CreatedAt))
			})
		},
	}
	f.add(list)
	list.Flags().StringVar(&app, "app", "", "only this app's candidates")
	list.Flags().StringVar(&decision, "decision", "", "only pass, needs_approval or blocked")
	show := &cobra.Command{Use: "show APP NUMBER", Short: "Show a candidate with the server's decision", Args: exactArgs(2, "the app's name and the candidate's number")}
	output := outputFlag(show)
	show.RunE = func(cmd *cobra.Command, args []string) error {
		c, err := a.client()
		if err != nil {
			return err
		}
		var x runway.Candidate
		if err := c.do(cmd.Context(), "GET", "/api/v1/apps/"+urlPath(args[0])+"/candidates/"+urlPath(args[1]), nil, &x); err != nil {
			return err
		}
		if *output == "json" {
			return a.printJSON(x)
		}
		return a.printCandidate(&x)
	}
	cmd.AddCommand(list, show)
	return cmd
}

// printCandidate says what the server decided, in plain words.
func (a *app) printCandidate(x *runway.Candidate) error {
	fmt.Fprintf(a.out, "%s candidate %d (tier %d), submitted by %s on %s: %s\n", x.App, x.Number, x.Tier, x.SubmittedBy, stamp(x.CreatedAt), decisionWords(x))
	if x.Report == nil {
		return nil
	}
	for _, reason := range x.Report.Risk.Reasons {
		fmt.Fprintf(a.out, "  tier: %s\n", reason)
	}
	for _, f := range x.Report.Blocking() {
		fmt.Fprintf(a.out, "  blocks: %s\n", f.Title)
	}
	return nil
}

func decisionWords(x *runway.Candidate) string {
	switch x.Decision {
	case runway.DecisionPass:
		return "it may ship"
	case runway.DecisionNeedsApproval:
		roles := ""
		if x.Report != nil {
			roles = fmt.Sprint(x.Report.ApprovalsRequired)
		}
		return "it needs approval " + roles
	default:
		return "it is blocked"
	}
}
