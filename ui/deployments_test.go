package ui_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/access"
	"github.com/runwayhq/runway/release"
)

// deployments are the production deployments of expense-approvals that
// withDeployments makes.
type deployments struct {
	live, canary int64
}

// withDeployments gives expense-approvals two production deployments
// through the real promoter (submitted by web's only team lead, requested
// by the developer, approved by the platform team, which stands in):
// #1 live and #2 in its canary at 20%. No runtime runs here, so their
// states are set in the store as the deployer leaves them.
func withDeployments(t testing.TB, p *platform) deployments {
	t.Helper()
	var ids []int64
	for n := 1; n <= 2; n++ {
		if n == 2 {
			p.submit(t, "team-lead", expenseApprovals())
			p.clock.Advance(10 * time.Minute)
		}
		pr := p.promote(t, "developer", release.PromoteRequest{App: "expense-approvals", Environment: runway.EnvProduction})
		pr, err := p.promoter.Answer(context.Background(), access.Principal{User: p.users["platform"]}, pr.ID, release.Answer{Verdict: runway.Approve, Via: "web"})
		if err != nil || pr.Deployment == 0 {
			t.Fatalf("approve: %+v %v", pr, err)
		}
		ids = append(ids, pr.Deployment)
		p.clock.Advance(time.Hour)
	}
	p.setDeployment(t, ids[0], func(d *runway.Deployment) {
		d.State, d.Weight, d.Artifact = runway.DeploymentLive, 100, "sha256:"+strings.Repeat("a1", 32)
		d.Reason = "The new version passed its smoke checks and now takes all the traffic."
	})
	p.setDeployment(t, ids[1], func(d *runway.Deployment) {
		d.State, d.Stable, d.Step, d.Weight, d.Artifact = runway.DeploymentCanary, "c1", 0, 20, "sha256:"+strings.Repeat("b2", 32)
		d.Reason = "The new version gets 20% of the traffic while it is watched."
	})
	p.clock.Advance(5 * time.Minute)
	return deployments{live: ids[0], canary: ids[1]}
}

// setDeployment changes a deployment in the store as the deployer would.
func (p *platform) setDeployment(t testing.TB, id int64, f func(d *runway.Deployment)) {
	t.Helper()
	if _, err := p.store.ChangeDeployment(runway.WithActor(context.Background(), "runway"), id, func(tx *runway.DeploymentTx) error {
		f(tx.Deployment)
		if tx.Deployment.State == runway.DeploymentLive && tx.Live != nil {
			tx.Live.State = runway.DeploymentReplaced
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// TestDeploymentPages covers the deployment page for every role, the
// polled progress, and the app page's deployments.
func TestDeploymentPages(t *testing.T) {
	t.Parallel()
	p := newPlatform(t)
	ds := withDeployments(t, p)
	canary, live := fmt.Sprintf("/deployments/%d", ds.canary), fmt.Sprintf("/deployments/%d", ds.live)
	const (
		form     = `<form class="stack narrow rollback" method="post" action="/deployments/`
		progress = `<progress id="weight" max="100" value="20">20%</progress>`
		polling  = `hx-trigger="every 2s"`
	)
	scenarios := []scenario{
		{name: "anonymous", path: canary, status: http.StatusSeeOther, location: "/sign-in?next=" + url.QueryEscape(canary)},
		{name: "the team's developer sees the canary and may roll it back", role: "developer", path: canary, status: http.StatusOK,
			want: []string{"<h1>expense-approvals c2 in production</h1>", `id="state">Canary<`, "The new version gets 20% of the traffic while it is watched.",
				progress, `<li class="current">20%<span class="visually-hidden"> (now)</span></li>`, "<li>50%</li>", polling,
				`hx-get="` + canary + `?state=canary"`, form, "Roll back now", "<h3>Runbook: expense-approvals in production</h3>",
				`<a href="http://runway.test` + canary + `">Roll back now</a>`, "<pre><code>runway rollback expense-approvals --env production --reason &#34;what you saw&#34;</code></pre>"},
			not: []string{"style=", "<script>", "onclick"}},
		{name: "security sees it but may not roll back", role: "security", path: canary, status: http.StatusOK,
			want: []string{progress, "Developers and team leads of team web (and admins) may roll it back"}, not: []string{form}},
		{name: "admin may roll back", role: "admin", path: canary, status: http.StatusOK, want: []string{form}},
		{name: "another team's lead", role: "lead-data", path: canary, status: http.StatusForbidden, want: []string{"you may not see candidates for team web"}},
		{name: "nobody's", role: "no role", path: canary, status: http.StatusForbidden},
		{name: "no such deployment", role: "admin", path: "/deployments/999", status: http.StatusNotFound, want: []string{"there is no deployment 999"}},
		{name: "a bad id", role: "admin", path: "/deployments/x", status: http.StatusNotFound},
		{name: "a live deployment does not refresh", role: "developer", path: live, status: http.StatusOK,
			want: []string{`id="state">Live<`, "It is the first version of expense-approvals in production: there is no earlier one to go back to.",
				"<code>runway flags kill expense-approvals production KEY --reason &#34;...&#34;</code>"}, not: []string{polling, form, "<progress"}},
		{name: "htmx polls the progress only", role: "developer", path: canary + "?state=canary", headers: []string{"HX-Request", "true"}, status: http.StatusOK,
			want: []string{`<div id="progress"`, progress, polling}, not: []string{"<html", "Runbook", form}},
		{name: "the app page lists deployments", role: "developer", path: "/apps/expense-approvals", status: http.StatusOK,
			want: []string{`<h2 id="deployments">Deployments</h2>`, `<a href="` + canary + `">c2 to production</a>: Canary`, `<span class="badge approval">Canary</span>`,
				`<span class="badge pass">Live</span>`}},
		{name: "the app list links the newest deployment", role: "developer", path: "/apps", status: http.StatusOK,
			want: []string{`<td data-label="Last deploy"><a href="` + canary + `">c2 to production</a>: Canary</td>`}},
		{name: "people outside the team see no deployments", role: "no role", path: "/apps/expense-approvals", status: http.StatusOK,
			want: []string{"Visible to the app's team"}, not: []string{`id="deployments"`, canary}},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			check(t, p.get(t, sc.role, sc.path, sc.headers...), sc)
		})
	}

	// A poll that finds the state changed asks htmx for the whole page.
	p.setDeployment(t, ds.canary, func(d *runway.Deployment) {
		d.State, d.Weight, d.Step, d.Reason = runway.DeploymentLive, 100, 2, "The canary met its objectives at every step."
	})
	res := p.get(t, "developer", canary+"?state=canary", "HX-Request", "true")
	check(t, res, scenario{status: http.StatusOK, want: []string{`id="state">Live<`}, not: []string{polling}})
	if res.header.Get("HX-Refresh") != "true" {
		t.Errorf("a poll after the state changed has HX-Refresh %q, want true", res.header.Get("HX-Refresh"))
	}
	check(t, p.get(t, "developer", canary), scenario{status: http.StatusOK,
		want: []string{`<li class="reached">100%</li>`, "To go back to c1 (candidate #1, source sha256:", "<code>--candidate 1</code> is refused"}, not: []string{form}})
}

// TestRollbackForm: the form's refusals are shown on the page with what
// the person typed. This server runs no apps, so even an allowed rollback
// of a canary is refused: the runtime's side is covered in release's
// tests and the end-to-end test of cmd/runway.
func TestRollbackForm(t *testing.T) {
	t.Parallel()
	p := newPlatform(t)
	ds := withDeployments(t, p)
	path := fmt.Sprintf("/deployments/%d/rollback", ds.canary)
	const script = `<script>alert(1)</script>`
	for _, tt := range []struct {
		name, role string
		form       url.Values
		csrf       bool
		status     int
		want, not  []string
	}{
		{"without the CSRF token", "developer", url.Values{"reason": {"errors"}}, false, http.StatusForbidden, []string{"CSRF check"}, nil},
		{"without a reason", "developer", url.Values{"reason": {" "}}, true, http.StatusBadRequest,
			[]string{`id="problem">say why you roll it back`, `id="state">Canary<`, "Roll back now"}, nil},
		{"not allowed", "security", url.Values{"reason": {"errors " + script}}, true, http.StatusForbidden,
			[]string{`id="problem">you may not roll back expense-approvals: developers and team leads of team web (and admins) may`}, []string{script}},
		{"no runtime here", "developer", url.Values{"reason": {"errors " + script}}, true, http.StatusServiceUnavailable,
			[]string{`id="problem">this server runs no apps, so it cannot move their traffic`, "errors &lt;script&gt;alert(1)&lt;/script&gt;</textarea>"}, []string{script}},
		{"another team", "lead-data", url.Values{"reason": {"errors"}}, true, http.StatusForbidden, []string{"you may not roll back"}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			check(t, p.send(t, tt.role, path, tt.form, tt.csrf), scenario{status: tt.status, want: tt.want, not: tt.not})
		})
	}
	check(t, p.send(t, "developer", fmt.Sprintf("/deployments/%d/rollback", ds.live), url.Values{"reason": {"errors"}}, true),
		scenario{status: http.StatusConflict, want: []string{"is not in its canary: it is live, so there is no canary to stop", `id="state">Live<`}})
	check(t, p.send(t, "", path, url.Values{"reason": {"errors"}}, true), scenario{status: http.StatusSeeOther,
		location: "/sign-in?next=" + url.QueryEscape(fmt.Sprintf("/deployments/%d", ds.canary))})
}
