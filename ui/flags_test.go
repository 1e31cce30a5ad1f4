package ui_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/access"
	"github.com/runwayhq/runway/flags"
	"github.com/runwayhq/runway/ui"
)

// Paths of the flags withFlags makes.
const (
	flagList       = "/apps/expense-approvals/flags"
	prodCheckout   = flagList + "/production/new-checkout"
	stageCheckout  = flagList + "/staging/new-checkout"
	sandboxBanner  = flagList + "/sandbox/banner"
	killForm       = `<form class="stack narrow kill" method="post" action="` + prodCheckout + `/kill">`
	turnOffButton  = `action="` + prodCheckout + `/off"`
	onlyTeamLeads  = "In production, only team leads of team web and admins may turn it on or off."
	wikiSecretPath = "/apps/wiki/secrets"
)

// withFlags gives expense-approvals, through the real flags service, the
// boolean flag new-checkout in every environment (staff by email, else a
// 25% rollout), turned on in production by web's team lead and killed in
// staging by the developer; and the string flag banner in sandbox. wiki
// declares two secrets (SLACK_BOT_TOKEN, DB_PASSWORD): the first has a
// value for every environment and another for production, the second
// none; an undeclared OLD_TOKEN has one for staging.
func withFlags(t testing.TB, p *platform) {
	t.Helper()
	ctx := context.Background()
	lead, dev := access.Principal{User: p.users["team-lead"]}, access.Principal{User: p.users["developer"]}
	checkout := flags.Spec{Key: "new-checkout", Type: runway.FlagBoolean, Description: "The new checkout page.",
		Rules: []runway.FlagRule{{Name: "staff", Conditions: []runway.FlagCondition{{Attribute: "email", Op: runway.OpEndsWith, Values: []string{"@example.com"}}},
			Serve: runway.FlagServe{Variant: "on"}}},
		Default: runway.FlagServe{Rollout: []runway.FlagWeight{{Variant: "on", Weight: 2500}, {Variant: "off", Weight: 7500}}}}
	_, err := p.flags.Create(ctx, lead, "expense-approvals", nil, checkout)
	must(t, err)
	banner := flags.Spec{Key: "banner", Type: runway.FlagString, Description: "The text above every page.", OffVariant: "plain",
		Variants: []runway.FlagVariant{{Name: "plain", Value: json.RawMessage(`"Welcome"`)}, {Name: "holiday", Value: json.RawMessage(`"Happy holidays"`), Description: "December only"}},
		Default:  runway.FlagServe{Variant: "holiday"}}
	_, err = p.flags.Create(ctx, dev, "expense-approvals", []runway.Environment{runway.EnvSandbox}, banner)
	must(t, err)
	p.clock.Advance(time.Hour)
	_, err = p.flags.SetEnabled(ctx, lead, "expense-approvals", runway.EnvProduction, "new-checkout", true)
	must(t, err)
	p.clock.Advance(time.Hour)
	_, err = p.flags.Kill(ctx, dev, "expense-approvals", runway.EnvStaging, "new-checkout", "Totals are wrong on staging")
	must(t, err)

	wiki := submission("wiki", "web", "A personal wiki.", "personal", nil)
	wiki.Manifest = append(wiki.Manifest, "integrations:\n  - name: slack\n    host: slack.com\n    requires_secret: true\n    secret: SLACK_BOT_TOKEN\n"+
		"  - name: db\n    host: db.example.com\n    requires_secret: true\n    secret: DB_PASSWORD\n"...)
	p.submit(t, "team-lead", wiki)
	as := runway.WithActor(ctx, lead.Actor())
	for _, ref := range []runway.SecretRef{{App: "wiki", Name: "SLACK_BOT_TOKEN"}, {App: "wiki", Env: runway.EnvProduction, Name: "SLACK_BOT_TOKEN"},
		{App: "wiki", Env: runway.EnvProduction, Name: "SLACK_BOT_TOKEN"}, {App: "wiki", Env: runway.EnvStaging, Name: "OLD_TOKEN"}} {
		_, err := p.secrets.Set(as, ref, strings.NewReader("s3cret-value-"+ref.EnvLabel()))
		must(t, err)
	}
	p.clock.Advance(30 * time.Minute)
}

// TestFlagPages covers the flag pages for every role.
func TestFlagPages(t *testing.T) {
	t.Parallel()
	p := newPlatform(t)
	withFlags(t, p)
	scenarios := []scenario{
		{name: "anonymous", path: prodCheckout, status: http.StatusSeeOther, location: "/sign-in?next=" + url.QueryEscape(prodCheckout)},
		{name: "anonymous list", path: flagList, status: http.StatusSeeOther, location: "/sign-in?next=" + url.QueryEscape(flagList)},
		{name: "the list per environment", role: "developer", path: flagList, status: http.StatusOK,
			want: []string{`<h2 id="env-sandbox">sandbox</h2>`, `<h2 id="env-production">production</h2>`,
				`<a href="` + stageCheckout + `">new-checkout</a>`, `<span class="badge blocked">Killed</span>`,
				"Everyone gets off: killed by developer@example.com (Totals are wrong on staging).",
				"1 rule, else a rollout of on 25%, off 75%.", `<a href="` + sandboxBanner + `">banner</a>`, "Everyone gets holiday."},
			not: []string{"style=", "<script>"}},
		{name: "the app page links the flags", role: "no role", path: "/apps/expense-approvals", status: http.StatusOK,
			want: []string{`<a href="` + flagList + `">Feature flags</a>`}, not: []string{`/secrets">Secrets</a>`}},
		{name: "a team lead may switch production", role: "team-lead", path: prodCheckout, status: http.StatusOK,
			want: []string{`id="state">On<`, "staff: people whose email ends with @example.com get on", "Everyone else gets a rollout of on 25%, off 75%.",
				turnOffButton, killForm, "Created it, off (version 1)", "Changed it, now on (version 2)"},
			not: []string{onlyTeamLeads}},
		{name: "a developer may kill production but not switch it", role: "developer", path: prodCheckout, status: http.StatusOK,
			want: []string{onlyTeamLeads, killForm}, not: []string{turnOffButton}},
		{name: "another team's lead may only read", role: "lead-data", path: prodCheckout, status: http.StatusOK,
			want: []string{onlyTeamLeads, "Members of team web, security, platform and admins may pull its kill switch."}, not: []string{killForm, turnOffButton}},
		{name: "a killed flag says so loudly", role: "developer", path: stageCheckout, status: http.StatusOK,
			want: []string{`id="state">Killed<`, `<p class="decision blocked" id="killed">Killed by developer@example.com`, ": Totals are wrong on staging.",
				"While it is off, everyone gets off.", "Turn on", "Pulled the kill switch: Totals are wrong on staging"},
			not: []string{`class="stack narrow kill"`}},
		{name: "what does someone get", role: "no role", path: prodCheckout + "?targeting_key=ana%40example.com&attributes=email%3Dana%40example.com%0Aplan%3Dpro",
			status: http.StatusOK, want: []string{`id="try-result">ana@example.com gets on (true): the rule &#34;staff&#34; matched.`,
				`value="ana@example.com"`, "email=ana@example.com\nplan=pro</textarea>"}},
		{name: "a rollout's bucket", role: "developer", path: prodCheckout + "?targeting_key=bo", status: http.StatusOK,
			want: []string{`id="try-result">bo gets `, "percentage rollout put them in bucket"}},
		{name: "a killed flag's evaluation", role: "developer", path: stageCheckout + "?targeting_key=bo", status: http.StatusOK,
			want: []string{"bo gets off (false): the flag is killed. Apps use their own default for it."}},
		{name: "a bad attribute line", role: "developer", path: prodCheckout + "?targeting_key=bo&attributes=%3Cscript%3E", status: http.StatusBadRequest,
			want: []string{`id="try-problem">&#34;&lt;script&gt;&#34; is not an attribute`}, not: []string{"<script>"}},
		{name: "no such flag", role: "developer", path: flagList + "/production/nope", status: http.StatusNotFound},
		{name: "no such environment", role: "developer", path: flagList + "/prod/new-checkout", status: http.StatusNotFound,
			want: []string{"there is no environment &#34;prod&#34;"}},
		{name: "no such app", role: "developer", path: "/apps/nope/flags", status: http.StatusNotFound},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			check(t, p.get(t, sc.role, sc.path, sc.headers...), sc)
		})
	}
}

// TestFlagForms: turning on, off and killing from the flag's page, and
// the service's refusals shown on it with what the person typed.
func TestFlagForms(t *testing.T) {
	t.Parallel()
	p := newPlatform(t)
	withFlags(t, p)
	const script = `<script>alert(1)</script>`
	for _, tt := range []struct {
		name, role, path string
		form             url.Values
		csrf             bool
		status           int
		want, not        []string
	}{
		{"signed out", "", prodCheckout + "/kill", url.Values{"reason": {"x"}}, true, http.StatusSeeOther, nil, nil},
		{"without the CSRF token", "team-lead", prodCheckout + "/kill", url.Values{"reason": {"errors"}}, false, http.StatusForbidden, []string{"CSRF check"}, nil},
		{"kill without a reason", "team-lead", prodCheckout + "/kill", url.Values{"reason": {"  "}}, true, http.StatusBadRequest,
			[]string{`id="problem">say why you kill flag new-checkout`, `id="state">On<`, killForm}, nil},
		{"a developer may not turn production off", "developer", prodCheckout + "/off", nil, true, http.StatusForbidden,
			[]string{`id="problem">you may not turn off`, "only team leads of the app&#39;s team and admins may"}, nil},
		{"another team may not kill", "lead-data", prodCheckout + "/kill", url.Values{"reason": {"errors " + script}}, true, http.StatusForbidden,
			[]string{`id="problem">you may not pull the kill switch of expense-approvals&#39;s flags`}, []string{script}},
		{"nobody's may not kill", "no role", prodCheckout + "/kill", url.Values{"reason": {"errors"}}, true, http.StatusForbidden, nil, nil},
		{"no such flag", "team-lead", flagList + "/production/nope/off", nil, true, http.StatusNotFound, nil, nil},
		{"a developer turns sandbox off", "developer", sandboxBanner + "/off", nil, true, http.StatusSeeOther, nil, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := p.send(t, tt.role, tt.path, tt.form, tt.csrf)
			check(t, res, scenario{status: tt.status, want: tt.want, not: tt.not})
		})
	}
	check(t, p.get(t, "developer", sandboxBanner), scenario{status: http.StatusOK, want: []string{`id="state">Off<`, "Changed it, now off (version 2)"}})

	// A kill by a team lead, with a reason that holds markup: it goes back
	// to the page, which shows the reason as text.
	res := p.send(t, "team-lead", prodCheckout+"/kill", url.Values{"reason": {"Double charges " + script}}, true)
	check(t, res, scenario{status: http.StatusSeeOther, location: prodCheckout})
	check(t, p.get(t, "team-lead", prodCheckout), scenario{status: http.StatusOK,
		want: []string{`id="state">Killed<`, "Double charges &lt;script&gt;alert(1)&lt;/script&gt;", "Turn on"}, not: []string{script, killForm}})
	check(t, p.get(t, "team-lead", flagList), scenario{status: http.StatusOK, want: []string{"Double charges &lt;script&gt;"}, not: []string{script}})
	// Turning it on again clears the kill.
	check(t, p.send(t, "team-lead", prodCheckout+"/on", nil, true), scenario{status: http.StatusSeeOther, location: prodCheckout})
	check(t, p.get(t, "team-lead", prodCheckout), scenario{status: http.StatusOK, want: []string{`id="state">On<`, killForm}})
}

// TestFlagDescriptionEscaped: a description with markup is shown as text.
func TestFlagDescriptionEscaped(t *testing.T) {
	t.Parallel()
	p := newPlatform(t)
	_, err := p.flags.Create(context.Background(), access.Principal{User: p.users["developer"]}, "expense-approvals", []runway.Environment{runway.EnvSandbox},
		flags.Spec{Key: "xss", Type: runway.FlagBoolean, Description: `<img src=x onerror=alert(1)>`})
	must(t, err)
	for _, path := range []string{flagList, flagList + "/sandbox/xss"} {
		check(t, p.get(t, "developer", path), scenario{status: http.StatusOK,
			want: []string{"&lt;img src=x onerror=alert(1)&gt;"}, not: []string{"<img src=x"}})
	}
}

// TestSecretsPage: names, versions and authors per environment, never a
// value; only for the app's team and the platform's roles.
func TestSecretsPage(t *testing.T) {
	t.Parallel()
	p := newPlatform(t)
	withFlags(t, p)
	noValues := []string{"s3cret-value"}
	for _, sc := range []scenario{
		{name: "anonymous", path: wikiSecretPath, status: http.StatusSeeOther, location: "/sign-in?next=" + url.QueryEscape(wikiSecretPath)},
		{name: "the team sees names and versions", role: "developer", path: wikiSecretPath, status: http.StatusOK,
			want: []string{"<code>SLACK_BOT_TOKEN</code>", "<code>DB_PASSWORD</code>", "Version 2, set by team-lead@example.com",
				"Uses the value for every environment", `<span class="badge blocked">Not set</span>`,
				"<code>OLD_TOKEN</code><br><span class=\"muted\">Not declared in runway.yaml", "runway secrets set wiki DB_PASSWORD --env production &lt; value.txt",
				"The web never takes a secret's value."},
			not: append(noValues, "<textarea", `action="/apps/wiki`)},
		{name: "security sees them too", role: "security", path: wikiSecretPath, status: http.StatusOK, want: []string{"SLACK_BOT_TOKEN"}, not: noValues},
		{name: "the app page links them", role: "developer", path: "/apps/wiki", status: http.StatusOK, want: []string{`<a href="` + wikiSecretPath + `">Secrets</a>`}},
		{name: "another team", role: "lead-data", path: wikiSecretPath, status: http.StatusForbidden, not: noValues},
		{name: "nobody's", role: "no role", path: wikiSecretPath, status: http.StatusForbidden},
		{name: "no such app", role: "admin", path: "/apps/nope/secrets", status: http.StatusNotFound},
	} {
		t.Run(sc.name, func(t *testing.T) {
			check(t, p.get(t, sc.role, sc.path), sc)
		})
	}

	t.Run("not set up", func(t *testing.T) {
		q := newPlatform(t, func(o *ui.Options) { o.Secrets = nil })
		check(t, q.get(t, "developer", "/apps/expense-approvals/secrets"), scenario{status: http.StatusOK,
			want: []string{`id="not-configured">Secrets are not set up on this server`, "declares no secrets"}})
	})
}
