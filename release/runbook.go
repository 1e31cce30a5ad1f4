package release

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/access"
)

// Runbooks make the runbook of every deployment: what runs, how to roll
// back, the flags in play, who owns it, where to look, and recent
// incidents. A runbook is made when it is read, from what the platform
// stores (the deployment, its candidates, the app's manifest, its flags,
// the audit trail), so it is the same whenever it is read until one of
// those changes; nothing else needs to be kept.
type Runbooks struct {
	Deployer *Deployer
	// Flags lists the app's flags; nil leaves them out.
	Flags interface {
		FindFlags(ctx context.Context, f runway.FlagFilter) ([]*runway.Flag, error)
	}
	// Audit is where incidents are read ("incident.open" entries about
	// the app); nil leaves them out.
	Audit runway.AuditLog
	// People finds the team's leads; nil leaves them out.
	People interface {
		FindUsersWithRole(ctx context.Context, role runway.Role, team string) ([]*runway.User, error)
	}
	// Promotions finds the request that started the deployment, for who
	// approved it; nil leaves it out.
	Promotions interface {
		FindPromotion(ctx context.Context, id int64) (*runway.Promotion, error)
	}
}

// recentIncidents is how many incidents a runbook lists.
const recentIncidents = 5

// Runbook returns the runbook of deployment id in Markdown, for a reader
// who may see the app's candidates (ENOTFOUND, EFORBIDDEN).
func (r *Runbooks) Runbook(ctx context.Context, p access.Principal, id int64) (string, error) {
	v, err := r.Deployer.View(ctx, p, id)
	if err != nil {
		return "", err
	}
	f, err := r.facts(ctx, v)
	if err != nil {
		return "", err
	}
	return Runbook(*f), nil
}

// facts reads what the runbook of a deployment is made of.
func (r *Runbooks) facts(ctx context.Context, v *DeploymentView) (*RunbookFacts, error) {
	dep, app := v.Deployment, v.App
	f := &RunbookFacts{Deployment: dep, App: app, Canary: v.Canary}
	var err error
	if f.Candidate, err = r.Deployer.Candidates.FindCandidate(ctx, app.Name, dep.Candidate); err != nil {
		return nil, err
	}
	if f.Previous, err = r.Deployer.previous(ctx, app.Name, dep.Stable); err != nil {
		return nil, err
	}
	if r.Deployer.URL != nil {
		f.URL = r.Deployer.URL(dep.ID)
	}
	if r.Flags != nil {
		if f.Flags, err = r.Flags.FindFlags(ctx, runway.FlagFilter{App: app.Name, Environment: dep.Environment}); err != nil {
			return nil, err
		}
	}
	if r.People != nil {
		leads, err := r.People.FindUsersWithRole(ctx, runway.RoleTeamLead, app.Team)
		if err != nil {
			return nil, err
		}
		for _, u := range leads {
			f.TeamLeads = append(f.TeamLeads, u.Email)
		}
	}
	if r.Promotions != nil && dep.PromotionID != 0 {
		if f.Promotion, err = r.Promotions.FindPromotion(ctx, dep.PromotionID); err != nil {
			return nil, err
		}
	}
	if r.Audit != nil {
		if f.Incidents, err = incidents(ctx, r.Audit, app.Name, recentIncidents); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// incidents returns the newest n incidents opened about app, newest
// first.
func incidents(ctx context.Context, audit runway.AuditLog, app string, n int) ([]Incident, error) {
	var out []Incident
	after := int64(0)
	for {
		es, err := audit.AuditEntries(ctx, runway.AuditFilter{Subject: "app:" + app, Page: runway.Page{After: after, Limit: 1000}})
		if err != nil {
			return nil, err
		}
		for _, e := range es {
			if e.Action != "incident.open" {
				continue
			}
			in := Incident{At: e.Time, Actor: e.Actor}
			if err := json.Unmarshal(e.Data, &in); err != nil {
				return nil, fmt.Errorf("audit entry %d: %w", e.Seq, err)
			}
			out = append(out, in)
		}
		if len(es) < 1000 {
			break
		}
		after = es[len(es)-1].Seq
	}
	slices.Reverse(out)
	return out[:min(n, len(out))], nil
}

// Incident is one "incident.open" entry of the audit trail.
type Incident struct {
	At          time.Time          `json:"-"`
	Actor       string             `json:"-"`
	Deployment  int64              `json:"deployment"`
	Environment runway.Environment `json:"environment"`
	Kind        string             `json:"kind"`
	Reason      string             `json:"reason"`
}

// RunbookFacts are what a runbook is made of.
type RunbookFacts struct {
	Deployment *runway.Deployment
	App        *runway.App
	// Candidate is the deployment's candidate; Previous the one it
	// replaces (nil for the first in its environment).
	Candidate, Previous *runway.Candidate
	Canary              *CanaryProgress
	// Promotion is the request that started it (nil when not known).
	Promotion *runway.Promotion
	// Flags are the app's flags in the deployment's environment.
	Flags []*runway.Flag
	// TeamLeads are the emails of the team's leads.
	TeamLeads []string
	// Incidents are the newest incidents about the app, newest first.
	Incidents []Incident
	// URL is the deployment's web page ("" when not known).
	URL string
}

// Runbook writes a deployment's runbook in Markdown. It is a pure
// function of its facts; every value people typed (descriptions, reasons,
// commands) is escaped, so it cannot add links or markup.
func Runbook(f RunbookFacts) string {
	var b strings.Builder
	dep, app := f.Deployment, f.App
	fmt.Fprintf(&b, "# Runbook: %s in %s\n\n", app.Name, dep.Environment)
	fmt.Fprintf(&b, "Deployment %d of candidate #%d (%s): **%s**.", dep.ID, dep.Candidate, dep.Version(), stateWords(dep.State))
	if dep.Reason != "" && !strings.Contains(dep.Reason, "\n") {
		fmt.Fprintf(&b, " %s", mdText(dep.Reason))
	}
	b.WriteString("\n")
	if strings.Contains(dep.Reason, "\n") {
		b.WriteString("\n" + mdBlock(dep.Reason))
	}
	if app.Manifest.Description != "" {
		fmt.Fprintf(&b, "\n%s\n", mdText(app.Manifest.Description))
	}
	whatRuns(&b, f)
	rollBack(&b, f)
	flagsInPlay(&b, f)
	owners(&b, f)
	dashboards(&b, f)
	recent(&b, f)
	b.WriteString("\n---\n\nRunway writes this runbook from what it stores, each time it is shown: the flags and incidents are as they are now.\n")
	return b.String()
}

func whatRuns(b *strings.Builder, f RunbookFacts) {
	dep, c, m := f.Deployment, f.Candidate, f.App.Manifest
	b.WriteString("\n## What runs\n\n")
	fmt.Fprintf(b, "- Version: %s (candidate #%d), submitted by %s on %s.\n", dep.Version(), c.Number, mdText(who(c.SubmittedBy)), stamp(c.CreatedAt))
	fmt.Fprintf(b, "- Source digest: %s\n", mdCode(c.SourceDigest))
	if dep.Artifact != "" {
		fmt.Fprintf(b, "- Artifact digest (what was built): %s\n", mdCode(dep.Artifact))
	} else {
		b.WriteString("- Artifact: not built yet.\n")
	}
	switch {
	case f.Previous != nil:
		fmt.Fprintf(b, "- Replaces: %s (candidate #%d, source %s).\n", runway.VersionOf(f.Previous.Number), f.Previous.Number, mdCode(f.Previous.SourceDigest))
	case dep.Stable != "":
		fmt.Fprintf(b, "- Replaces: %s.\n", mdText(dep.Stable))
	default:
		fmt.Fprintf(b, "- Replaces: nothing; it is the first version of %s in %s.\n", f.App.Name, dep.Environment)
	}
	b.WriteString("- Traffic: " + trafficWords(f) + "\n")
	if m.Run.Start != "" {
		fmt.Fprintf(b, "- Start command: %s", mdCode(m.Run.Start))
		if m.Run.Health != "" {
			fmt.Fprintf(b, "; health check: %s", mdCode(m.Run.Health))
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(b, "- Tier %d; data: %s.\n", f.App.Tier, dataList(m.Data))
	if len(m.Integrations) > 0 {
		var ins []string
		for _, in := range m.Integrations {
			s := mdText(in.Name) + " (" + mdCode(in.Host)
			if in.Secret != "" {
				s += ", secret " + mdCode(in.Secret)
			}
			ins = append(ins, s+")")
		}
		fmt.Fprintf(b, "- Connects to: %s.\n", strings.Join(ins, ", "))
	}
}

// trafficWords says who gets the deployment's version.
func trafficWords(f RunbookFacts) string {
	dep := f.Deployment
	switch dep.State {
	case runway.DeploymentCanary:
		s := fmt.Sprintf("%s gets %d%% of the users, %s the rest", dep.Version(), dep.Weight, dep.Stable)
		if f.Canary != nil {
			s += fmt.Sprintf(" (step %d of %d: %s)", dep.Step+1, len(f.Canary.Steps), percents(f.Canary.Steps))
		}
		return s + "."
	case runway.DeploymentLive:
		return fmt.Sprintf("%s takes all the traffic.", dep.Version())
	case runway.DeploymentReplaced:
		return fmt.Sprintf("none any more: %s", mdText(dep.Reason))
	case runway.DeploymentFailed, runway.DeploymentRolledBack:
		if dep.Stable != "" {
			return fmt.Sprintf("none; %s keeps serving.", dep.Stable)
		}
		return "none."
	}
	return "none yet; it is on its way."
}

func rollBack(b *strings.Builder, f RunbookFacts) {
	dep, app := f.Deployment, f.App
	b.WriteString("\n## How to roll back\n\n")
	switch dep.State {
	case runway.DeploymentCanary:
		fmt.Fprintf(b, "All the traffic goes back to %s at once, and %s stops. Developers and team leads of %s (and admins) may do it:\n\n", dep.Stable, dep.Version(), app.Team)
		fmt.Fprintf(b, "```sh\nrunway rollback %s --env %s --reason \"what you saw\"\n```\n", app.Name, dep.Environment)
		if f.URL != "" {
			fmt.Fprintf(b, "\nOr on the web: [Roll back now](%s) on the deployment's page.\n", f.URL)
		}
	case runway.DeploymentLive:
		if f.Previous == nil {
			fmt.Fprintf(b, "It is the first version of %s in %s: there is no earlier one to go back to. Switch a feature off with its flag (below).\n", app.Name, dep.Environment)
			break
		}
		fmt.Fprintf(b, "The canary is over, so there is nothing to stop. To go back to %s (candidate #%d), submit its source again and promote it: check out the commit it was made from (source %s), then\n\n",
			runway.VersionOf(f.Previous.Number), f.Previous.Number, mdCode(f.Previous.SourceDigest))
		fmt.Fprintf(b, "```sh\nrunway check && runway submit\nrunway promote %s --to %s\n```\n\n", app.Name, dep.Environment)
		fmt.Fprintf(b, "The usual approvals apply; add `--break-glass --reason \"...\"` when it cannot wait (a second person confirms). Runway promotes only an app's newest candidate, so `--candidate %d` is refused.\n", f.Previous.Number)
	case runway.DeploymentQueued, runway.DeploymentBuilding, runway.DeploymentStarting, runway.DeploymentSmoke:
		fmt.Fprintf(b, "Nothing to roll back yet: %s takes no users' traffic.", dep.Version())
		if dep.Stable != "" && dep.Environment == runway.EnvProduction {
			fmt.Fprintf(b, " Once its smoke checks pass it gets a share of it, and `runway rollback %s --env %s --reason \"...\"` sends it all back to %s.", app.Name, dep.Environment, dep.Stable)
		}
		b.WriteString("\n")
	default:
		fmt.Fprintf(b, "Nothing to roll back: this deployment is over (%s).\n", stateWords(dep.State))
	}
	if f.URL != "" && dep.State != runway.DeploymentCanary {
		fmt.Fprintf(b, "\nThe deployment's page: <%s>\n", f.URL)
	}
}

func flagsInPlay(b *strings.Builder, f RunbookFacts) {
	dep, app := f.Deployment, f.App
	fmt.Fprintf(b, "\n## Flags in %s\n\n", dep.Environment)
	if len(f.Flags) == 0 {
		fmt.Fprintf(b, "%s has no feature flags in %s.\n", app.Name, dep.Environment)
		return
	}
	for _, fl := range f.Flags {
		state := "on"
		switch {
		case fl.Kill != nil:
			state = "off: killed by " + mdText(who(fl.Kill.By))
			if fl.Kill.Reason != "" {
				state += " (" + mdText(fl.Kill.Reason) + ")"
			}
		case !fl.Enabled:
			state = "off"
		}
		fmt.Fprintf(b, "- %s (%s), %s", mdCode(fl.Key), fl.Type, state)
		if fl.Description != "" {
			fmt.Fprintf(b, ": %s", mdText(fl.Description))
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(b, "\nTo switch a feature off at once (whoever answers for the team's releases may): `runway flags kill %s %s KEY --reason \"...\"`.\n", app.Name, dep.Environment)
}

func owners(b *strings.Builder, f RunbookFacts) {
	dep, app := f.Deployment, f.App
	b.WriteString("\n## Owners and contacts\n\n")
	fmt.Fprintf(b, "- Owner team: %s", mdText(app.Team))
	if len(f.TeamLeads) > 0 {
		fmt.Fprintf(b, "; team leads: %s", mdText(JoinWords(f.TeamLeads)))
	}
	b.WriteString(".\n")
	started := "- Started by " + mdText(who(dep.StartedBy))
	if dep.BreakGlass {
		started += " as a **break-glass** release"
	}
	fmt.Fprintf(b, "%s on %s.\n", started, stamp(dep.CreatedAt))
	if p := f.Promotion; p != nil {
		var by []string
		for _, a := range p.Approvals {
			if a.Verdict == runway.Approve && a.VoidedAt == nil {
				by = append(by, who(a.By))
			}
		}
		switch {
		case p.AutoApproved:
			fmt.Fprintf(b, "- Promotion request %d: nobody needed to approve it.\n", p.ID)
		case len(by) > 0:
			fmt.Fprintf(b, "- Promotion request %d, approved by %s.\n", p.ID, mdText(JoinWords(by)))
		}
	}
	b.WriteString("- runway.yaml names the owner team only (it has no field for other contacts yet).\n")
}

func dashboards(b *strings.Builder, f RunbookFacts) {
	dep, app := f.Deployment, f.App
	b.WriteString("\n## Where to look\n\n")
	if f.URL != "" {
		fmt.Fprintf(b, "- The deployment's page (state, canary progress, this runbook): <%s>\n", f.URL)
	}
	fmt.Fprintf(b, "- Logs (secrets redacted): `runway logs %s --env %s --version %s`\n", app.Name, dep.Environment, dep.Version())
	fmt.Fprintf(b, "- Deployments and why each is where it is: `runway status %s`\n", app.Name)
	fmt.Fprintf(b, "- Per-version metrics on the platform's `/metrics`: `runway_proxy_requests_total`, `runway_proxy_responses_5xx_total`, `runway_proxy_errors_total`, "+
		"`runway_proxy_request_duration_seconds` and `runway_proxy_weight_percent`, with `app=\"%s\", env=\"%s\"`.\n", app.Name, dep.Environment)
	b.WriteString("- runway.yaml declares no dashboards (it has no field for them yet).\n")
}

func recent(b *strings.Builder, f RunbookFacts) {
	b.WriteString("\n## Recent incidents\n\n")
	if len(f.Incidents) == 0 {
		fmt.Fprintf(b, "None recorded for %s.\n", f.App.Name)
		return
	}
	for _, in := range f.Incidents {
		fmt.Fprintf(b, "- %s, %s, deployment %d: %s: %s\n", stamp(in.At), in.Environment, in.Deployment, mdText(in.Kind), mdText(in.Reason))
	}
}

// stateWords says a deployment's state in a few words.
func stateWords(state string) string {
	switch state {
	case runway.DeploymentQueued:
		return "queued"
	case runway.DeploymentBuilding:
		return "building"
	case runway.DeploymentStarting:
		return "starting"
	case runway.DeploymentSmoke:
		return "running its smoke checks"
	case runway.DeploymentCanary:
		return "in its canary"
	case runway.DeploymentLive:
		return "live"
	case runway.DeploymentReplaced:
		return "replaced"
	case runway.DeploymentFailed:
		return "failed"
	case runway.DeploymentRolledBack:
		return "rolled back"
	}
	return state
}

func percents(steps []int) string {
	s := make([]string, len(steps))
	for i, n := range steps {
		s[i] = fmt.Sprintf("%d%%", n)
	}
	return strings.Join(s, " → ")
}

func dataList(ds []runway.DataClass) string {
	if len(ds) == 0 {
		return "none declared"
	}
	s := make([]string, len(ds))
	for i, d := range ds {
		s[i] = mdText(string(d))
	}
	return strings.Join(s, ", ")
}

func stamp(t time.Time) string { return t.UTC().Format("2 Jan 2006, 15:04 UTC") }

// mdText escapes text people typed for Markdown: one line, and no
// character that starts markup, a link or HTML.
func mdText(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune("\\`*_[]<>#!|~", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// mdCode is s as inline code, on one line, with a fence longer than any
// run of backticks in it.
func mdCode(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	fence := strings.Repeat("`", longestRun(s, '`')+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return fence + s + fence
}

// mdBlock is s as a fenced block, with a fence longer than any run of
// backticks in it.
func mdBlock(s string) string {
	fence := strings.Repeat("`", max(3, longestRun(s, '`')+1))
	return fence + "\n" + strings.TrimRight(s, "\n") + "\n" + fence + "\n"
}

func longestRun(s string, c byte) int {
	best, n := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			n++
			best = max(best, n)
		} else {
			n = 0
		}
	}
	return best
}
