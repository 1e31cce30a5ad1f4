package ui

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/access"
	"github.com/runwayhq/runway/report"
)

// appPage is an app page's data: the catalog facts everyone signed in
// sees, and the checks only people allowed to read the app's candidates
// see.
type appPage struct {
	App      *runway.App
	Owner    string
	Tier     string
	Audience string
	Data     string
	// Checks says whether the person may see the app's candidates; when
	// not, Hidden explains who can.
	Checks bool
	Hidden string
	Latest *latestCheck // nil when no candidate was submitted
	// History lists candidates newest first; Older links to the next page.
	History []*runway.Candidate
	Older   string
	// Promote shows the form to request a promotion of the newest version.
	Promote bool
	// Deployments lists the app's newest deployments, newest first, for
	// people who may see its candidates; DeploysHidden says they are
	// there but not for this reader.
	Deployments   []*runway.Deployment
	DeploysHidden bool
	// Flags links the app's feature flags; Secrets links its secrets,
	// for people who may see their names.
	Flags, Secrets bool
}

// latestCheck is the latest candidate told in plain language.
type latestCheck struct {
	Candidate *runway.Candidate
	Decision  string
	Class     string // for the style sheet: pass, approval or blocked
	Tier      string
	Risk      string
	Reasons   []string
	Approvers []string
	Groups    []report.ActionGroup
	Checks    []runway.CheckResult
	SBOM      string
	// Components are the shipped components (dev-only ones left out),
	// with their licences, when the candidate carried its inventory.
	Components []runway.Component
}

func (u *UI) app(w http.ResponseWriter, r *http.Request, v *view) error {
	ctx := r.Context()
	a, err := u.opt.Store.FindApp(ctx, r.PathValue("app"))
	if err != nil {
		return err
	}
	team, err := u.opt.Store.FindTeam(ctx, a.Team)
	if err != nil {
		return err
	}
	d := appPage{App: a, Owner: teamNames([]*runway.Team{team})[a.Team], Tier: tierWords(a.Tier),
		Audience: audienceWords(a.Manifest.Audience), Data: dataWords(a.Manifest.Data),
		Flags: u.opt.Flags != nil, Secrets: access.Allowed(v.principal, access.ReadSecrets, a.Team)}
	v.Title, v.Nav, v.Data = a.Name, "apps", &d
	if !access.Allowed(v.principal, access.ReadCandidates, a.Team) {
		d.DeploysHidden = u.opt.Deployer != nil
		d.Hidden = fmt.Sprintf("Checks, findings and versions of this app are visible to the people of team %s, "+
			"the security team, the platform team and admins. Ask a team lead of %s to add you to the team if you need them.", d.Owner, d.Owner)
		u.render(w, r, http.StatusOK, "app", v)
		return nil
	}
	d.Checks = true
	if err := u.history(r, &d); err != nil {
		return err
	}
	d.Promote = u.opt.Promoter != nil && d.Latest != nil && access.Allowed(v.principal, access.Promote, a.Team)
	if u.opt.Deployer != nil {
		if d.Deployments, err = u.opt.Deployer.Recent(ctx, v.principal, a.Name, recentDeployments); err != nil {
			return err
		}
	}
	u.render(w, r, http.StatusOK, "app", v)
	return nil
}

// history loads the latest candidate with its report and one page of the
// app's candidates.
func (u *UI) history(r *http.Request, d *appPage) error {
	ctx := r.Context()
	after, err := cursor(r.URL.Query().Get("after"))
	if err != nil {
		return err
	}
	cs, err := u.opt.Store.FindCandidates(ctx, runway.CandidateFilter{App: d.App.Name, Page: runway.Page{After: after, Limit: pageSize + 1}})
	if err != nil {
		return err
	}
	if len(cs) > pageSize {
		cs = cs[:pageSize]
		d.Older = link("/apps/"+d.App.Name, "after", strconv.FormatInt(cs[pageSize-1].ID, 10))
	}
	d.History = cs
	newest := cs
	if after > 0 {
		if newest, err = u.opt.Store.FindCandidates(ctx, runway.CandidateFilter{App: d.App.Name, Page: runway.Page{Limit: 1}}); err != nil {
			return err
		}
	}
	if len(newest) == 0 {
		return nil
	}
	c, err := u.opt.Store.FindCandidate(ctx, d.App.Name, newest[0].Number)
	if err != nil {
		return err
	}
	d.Latest = explain(c)
	return nil
}

// explain tells a candidate's check in plain language.
func explain(c *runway.Candidate) *latestCheck {
	rep := c.Report
	if rep == nil {
		rep = &runway.Report{}
	}
	l := &latestCheck{
		Candidate: c,
		Decision:  decisionSentence(c.Decision, rep.ApprovalsRequired),
		Class:     decisionClass(c.Decision),
		Tier:      tierWords(c.Tier),
		Risk:      riskWords(rep.Risk),
		Reasons:   rep.Risk.Reasons,
		Groups:    report.GroupByAction(rep.Findings),
		Checks:    rep.Checks,
		SBOM:      sbomWords(rep.SBOM, c.Inventory),
	}
	if c.Inventory != nil {
		for _, comp := range c.Inventory.Components {
			if !comp.Dev {
				l.Components = append(l.Components, comp)
			}
		}
	}
	for _, role := range rep.ApprovalsRequired {
		l.Approvers = append(l.Approvers, roleWords(role))
	}
	return l
}

// riskWords says the effective risk and how it compares with the one the
// owner declared.
func riskWords(k runway.Risk) string {
	switch {
	case k.Effective == "":
		return "The risk was not assessed."
	case k.Declared == "" || k.Declared == k.Effective:
		return fmt.Sprintf("Risk is %s.", k.Effective)
	}
	return fmt.Sprintf("Risk is %s (the owner declared %s; the platform raises it when the facts call for it).", k.Effective, k.Declared)
}

// sbomWords says what the check's software bill of materials holds.
func sbomWords(s *runway.SBOMSummary, inv *runway.Inventory) string {
	switch {
	case s == nil:
		return "This check made no software bill of materials (SBOM), so the app's components and their licences are not known here."
	case inv == nil:
		return fmt.Sprintf("This check found %s in the app's software bill of materials (SBOM), but the list was not sent with it, so it cannot be shown here.",
			plural(s.Components, "component"))
	}
	shipped := 0
	for _, c := range inv.Components {
		if !c.Dev {
			shipped++
		}
	}
	return fmt.Sprintf("The app ships %s (tools used only while developing are not listed).", plural(shipped, "component"))
}
