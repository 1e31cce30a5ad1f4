package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/runwayhq/runway"
)

func (a *app) promoteCommand() *cobra.Command {
	var env, reason string
	var candidate int
	var breakGlass bool
	cmd := &cobra.Command{
		Use:   "promote APP --to staging|production",
		Short: "Ask to promote an app's newest candidate; says who must approve and why",
		Args:  exactArgs(1, "the app's name"),
	}
	output := outputFlag(cmd)
	cmd.Flags().StringVar(&env, "to", "", "the environment: sandbox, staging or production")
	cmd.Flags().IntVar(&candidate, "candidate", 0, "the candidate's number (default: the newest)")
	cmd.Flags().StringVar(&reason, "reason", "", "a note for the approvers; required with --break-glass")
	cmd.Flags().BoolVar(&breakGlass, "break-glass", false, "emergency: skip the usual approvals and release windows; a second person must confirm, and security is told")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if env == "" {
			return usageError(cmd, "Say where to: --to staging or --to production.")
		}
		c, err := a.client()
		if err != nil {
			return err
		}
		var p runway.Promotion
		body := map[string]any{"environment": env, "candidate": candidate, "note": reason, "break_glass": breakGlass}
		if err := c.do(cmd.Context(), "POST", "/api/v1/apps/"+urlPath(args[0])+"/promotions", body, &p); err != nil {
			return err
		}
		if *output == "json" {
			return a.printJSON(p)
		}
		printPromotion(a.out, &p)
		return nil
	}
	return cmd
}

// printPromotion says where a promotion stands, in plain words.
func printPromotion(w io.Writer, p *runway.Promotion) {
	fmt.Fprintf(w, "Promotion request %d: %s candidate #%d to %s — %s\n", p.ID, p.App, p.Candidate, p.Environment, p.State)
	if p.Outcome != "" {
		fmt.Fprintf(w, "%s\n", p.Outcome)
	}
	if p.State.Open() {
		for _, line := range p.Why {
			fmt.Fprintf(w, "  %s\n", line)
		}
		for _, q := range p.Requirements {
			mark := "waiting"
			if q.MetBy != 0 {
				mark = "approved"
			}
			who := string(q.Role)
			if q.Team != "" {
				who += " of " + q.Team
			}
			fmt.Fprintf(w, "  [%s] %s (%s)\n", mark, who, q.Kind)
		}
		fmt.Fprintf(w, "Expires %s. Approvers see it with `runway approvals list`.\n", stamp(p.ExpiresAt))
	}
	if p.ScheduledFor != nil {
		fmt.Fprintf(w, "Starts %s.\n", stamp(*p.ScheduledFor))
	}
	if p.Deployment != 0 {
		fmt.Fprintf(w, "Deployment %d is queued.\n", p.Deployment)
	}
}

func (a *app) approvalsCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "approvals", Short: "Review, approve and reject promotion requests"}
	var f listFlags
	var all bool
	var app, state string
	list := &cobra.Command{
		Use: "list", Short: "List the requests waiting for you (--all: every request you may see)", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := a.client()
			if err != nil {
				return err
			}
			path := "/api/v1/promotions/inbox"
			if all {
				path = "/api/v1/promotions" + f.query("app", app, "state", state)
			}
			var p page[runway.Promotion]
			if err := c.do(cmd.Context(), "GET", path, nil, &p); err != nil {
				return err
			}
			return printPage(a, cmd, &f, p, "ID\tAPP\tCANDIDATE\tTO\tSTATE\tASKED BY\tEXPIRES", func(p runway.Promotion) string {
				return fmt.Sprintf("%d\t%s\t#%d\t%s\t%s\t%s\t%s", p.ID, p.App, p.Candidate, p.Environment, p.State, strings.TrimPrefix(p.RequestedBy, "user:"), stamp(p.ExpiresAt))
			})
		},
	}
	f.add(list)
	list.Flags().BoolVar(&all, "all", false, "every request you may see, not only those waiting for you")
	list.Flags().StringVar(&app, "app", "", "only this app's requests (with --all)")
	list.Flags().StringVar(&state, "state", "", "only requests in this state (with --all): pending, scheduled, started, rejected, voided, expired, cancelled")
	show := &cobra.Command{Use: "show ID", Short: "Show a request with its whole context", Args: exactArgs(1, "the request's id")}
	showOut := outputFlag(show)
	show.RunE = func(cmd *cobra.Command, args []string) error {
		c, err := a.client()
		if err != nil {
			return err
		}
		var r struct {
			runway.Promotion
			Findings     runway.FindingCounts `json:"findings"`
			SBOMSummary  string               `json:"sbom_summary"`
			CanAnswer    bool                 `json:"can_answer"`
			CannotAnswer string               `json:"cannot_answer"`
		}
		if err := c.do(cmd.Context(), "GET", "/api/v1/promotions/"+urlPath(args[0]), nil, &r); err != nil {
			return err
		}
		if *showOut == "json" {
			return a.printJSON(r)
		}
		printPromotion(a.out, &r.Promotion)
		fmt.Fprintf(a.out, "Findings: %d open (%d blocking, %d accepted).\n", r.Findings.Total, r.Findings.Blocking, r.Findings.Accepted)
		fmt.Fprintf(a.out, "SBOM: %s\n", r.SBOMSummary)
		for _, ap := range r.Approvals {
			state := ""
			if ap.VoidedAt != nil {
				state = " (void: " + ap.VoidReason + ")"
			}
			fmt.Fprintf(a.out, "  %s %s as %s via %s on %s%s %s\n", strings.TrimPrefix(ap.By, "user:"), ap.Verdict, ap.Role, ap.Via, stamp(ap.CreatedAt), state, ap.Reason)
		}
		if r.CanAnswer {
			fmt.Fprintf(a.out, "You may answer: runway approvals approve %d, or runway approvals reject %d --reason \"...\"\n", r.ID, r.ID)
		} else if r.CannotAnswer != "" {
			fmt.Fprintf(a.out, "You cannot answer it: %s\n", r.CannotAnswer)
		}
		return nil
	}
	cmd.AddCommand(list, show, a.answerCommand("approve"), a.answerCommand("reject"), a.cancelCommand())
	return cmd
}

func (a *app) answerCommand(verb string) *cobra.Command {
	var reason, as string
	cmd := &cobra.Command{Use: verb + " ID", Short: strings.ToUpper(verb[:1]) + verb[1:] + " a promotion request", Args: exactArgs(1, "the request's id")}
	output := outputFlag(cmd)
	if verb == "reject" {
		cmd.Flags().StringVar(&reason, "reason", "", "why (required): the requester needs to know what to fix")
	} else {
		cmd.Flags().StringVar(&reason, "reason", "", "a note kept with your approval")
		cmd.Flags().StringVar(&as, "as", "", "the role you approve in, if you hold several (team-lead, security, platform)")
	}
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if _, err := strconv.ParseInt(args[0], 10, 64); err != nil {
			return usageError(cmd, fmt.Sprintf("%q is not a request id: `runway approvals list` shows them.", args[0]))
		}
		if verb == "reject" && strings.TrimSpace(reason) == "" {
			return usageError(cmd, "Say why with --reason: the requester needs to know what to fix.")
		}
		c, err := a.client()
		if err != nil {
			return err
		}
		var p runway.Promotion
		if err := c.do(cmd.Context(), "POST", "/api/v1/promotions/"+args[0]+"/"+verb, map[string]any{"reason": reason, "as": as}, &p); err != nil {
			return err
		}
		if *output == "json" {
			return a.printJSON(p)
		}
		printPromotion(a.out, &p)
		return nil
	}
	return cmd
}

func (a *app) cancelCommand() *cobra.Command {
	var reason string
	cmd := &cobra.Command{Use: "cancel ID", Short: "Withdraw your promotion request", Args: exactArgs(1, "the request's id")}
	cmd.Flags().StringVar(&reason, "reason", "", "why (optional)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		c, err := a.client()
		if err != nil {
			return err
		}
		var p runway.Promotion
		if err := c.do(cmd.Context(), "POST", "/api/v1/promotions/"+urlPath(args[0])+"/cancel", map[string]any{"reason": reason}, &p); err != nil {
			return err
		}
		printPromotion(a.out, &p)
		return nil
	}
	return cmd
}
