package ui_test

import (
	"net/http"
	"strings"
	"testing"
)

// scenario is one request to the UI and what its answer must and must not
// hold.
type scenario struct {
	name     string
	role     string // "" for nobody signed in
	path     string
	headers  []string // name, value pairs
	status   int
	location string // the redirect target, for 3xx
	want     []string
	not      []string
}

// TestRoutes covers every page for every role: who is sent to sign in,
// who sees what, who is refused.
func TestRoutes(t *testing.T) {
	t.Parallel()
	p := newPlatform(t)
	const (
		hidden    = "Visible to the app's team"
		auditLink = `href="/audit"`
		ready     = "Ready to deploy: nothing blocks this version"
		needsLead = "Needs approval from a team lead before it can be deployed"
		explained = "visible to the people of team Web team, the security team, the platform team and admins"
	)
	var scenarios []scenario
	for _, path := range []string{"/apps", "/apps/wiki", "/audit", "/apps?q=wiki&tier=1"} {
		scenarios = append(scenarios, scenario{name: "anonymous " + path, path: path, status: http.StatusSeeOther,
			location: "/sign-in?next=" + strings.NewReplacer("/", "%2F", "?", "%3F", "=", "%3D", "&", "%26").Replace(path)})
	}
	for _, r := range roles {
		// Where an app runs is for those who may see its candidates.
		deploys := "Not deployed yet"
		if r.name == "no role" {
			deploys = "Visible to the app's team"
		}
		scenarios = append(scenarios,
			scenario{name: r.name + " home", role: r.name, path: "/", status: http.StatusSeeOther, location: "/apps"},
			scenario{name: r.name + " apps", role: r.name, path: "/apps", status: http.StatusOK,
				want: []string{"wiki", "ledger", "expense-approvals", "Tier 1: personal or demo", deploys, "Signed in as " + strings.ReplaceAll(r.name, " ", "-") + "@example.com"}},
			scenario{name: r.name + " unknown app", role: r.name, path: "/apps/nope", status: http.StatusNotFound,
				want: []string{"Not found", "there is no app named &#34;nope&#34;", `href="/apps"`}},
		)
	}
	scenarios = append(scenarios, []scenario{
		{name: "developer sees own team's checks only", role: "developer", path: "/apps", status: http.StatusOK,
			want: []string{"Ready to deploy", hidden}, not: []string{auditLink}},
		{name: "no role sees no checks", role: "no role", path: "/apps", status: http.StatusOK,
			want: []string{hidden}, not: []string{"Ready to deploy", "Needs approval", auditLink}},
		{name: "security sees every check", role: "security", path: "/apps", status: http.StatusOK,
			want: []string{"Ready to deploy", "Needs approval", auditLink}, not: []string{hidden}},
		{name: "platform sees every check", role: "platform", path: "/apps", status: http.StatusOK,
			want: []string{"Ready to deploy", "Needs approval"}, not: []string{hidden, auditLink}},
		{name: "search", role: "admin", path: "/apps?q=led", status: http.StatusOK,
			want: []string{`href="/apps/ledger"`, `value="led"`}, not: []string{`href="/apps/wiki"`}},
		{name: "tier filter", role: "admin", path: "/apps?tier=1", status: http.StatusOK,
			want: []string{`href="/apps/wiki"`, `<option value="1" selected>`}, not: []string{`href="/apps/ledger"`}},
		{name: "team filter", role: "admin", path: "/apps?team=data", status: http.StatusOK,
			want: []string{`href="/apps/ledger"`}, not: []string{`href="/apps/wiki"`, `href="/apps/expense-approvals"`}},
		{name: "nothing matches", role: "admin", path: "/apps?q=zzz", status: http.StatusOK,
			want: []string{"No apps match these filters", `<a href="/apps">Show all apps</a>`}},
		{name: "bad tier", role: "admin", path: "/apps?tier=9", status: http.StatusBadRequest,
			want: []string{"the tier filter must be 1, 2 or 3"}},
		{name: "bad page link", role: "admin", path: "/apps?after=x", status: http.StatusBadRequest,
			want: []string{"this page link is damaged"}},
		{name: "htmx gets the results only", role: "admin", path: "/apps?q=wiki", headers: []string{"HX-Request", "true"}, status: http.StatusOK,
			want: []string{`href="/apps/wiki"`, "1 app shown"}, not: []string{"<html", "<form", "ledger"}},
		{name: "htmx history restore gets the page", role: "admin", path: "/apps", headers: []string{"HX-Request", "true", "HX-History-Restore-Request", "true"},
			status: http.StatusOK, want: []string{"<html", "<form"}},
		{name: "htmx without session is sent to sign in", path: "/apps?q=w", headers: []string{"HX-Request", "true"}, status: http.StatusUnauthorized},

		{name: "team developer sees the check", role: "developer", path: "/apps/expense-approvals", status: http.StatusOK,
			want: []string{needsLead, "Tier 2: team use", "Upgrade packages (1 package)", "package-lock.json", "Upgrade express to 5.1.1 or later.",
				"app/server.js:12", "Versions and decisions", `<td data-label="Findings">2, none blocking</td>`, "1 component", "The app ships 1 component", "<td>express</td><td>5.1.0</td><td>MIT</td>"}},
		{name: "tier reasons", role: "team-lead", path: "/apps/expense-approvals", status: http.StatusOK,
			want: []string{"expects 60 users", "Approvals needed", "<li>a team lead</li>"}},
		{name: "ready app", role: "team-lead", path: "/apps/wiki", status: http.StatusOK,
			want: []string{ready, "A personal wiki.", "Only its owner", "Nothing: the checks found no problems.", "<p>None.</p>"}},
		{name: "security sees another team's check", role: "security", path: "/apps/ledger", status: http.StatusOK,
			want: []string{"Needs approval from a team lead", "submitted by lead-data@example.com"}},
		{name: "admin sees the check", role: "admin", path: "/apps/wiki", status: http.StatusOK, want: []string{ready}},
		{name: "other team sees catalog facts only", role: "team-lead", path: "/apps/ledger", status: http.StatusOK,
			want: []string{"ledger", "Tier 2: team use", "visible to the people of team data"}, not: []string{"Latest check", "Needs approval", "Versions and decisions"}},
		{name: "no role sees catalog facts only", role: "no role", path: "/apps/expense-approvals", status: http.StatusOK,
			want: []string{"expense-approvals", "Web team", explained}, not: []string{"Latest check", "Upgrade express", "Versions and decisions"}},

		{name: "security reads the audit", role: "security", path: "/audit", status: http.StatusOK,
			want: []string{"Audit trail", "Created a team", "<code>team:web</code>", `aria-current="page"`}},
		{name: "admin reads the audit", role: "admin", path: "/audit?subject=app:wiki", status: http.StatusOK,
			want: []string{"Registered an app", "team-lead@example.com", `value="app:wiki"`}, not: []string{"team:web", "app:ledger"}},
		{name: "audit pages", role: "admin", path: "/audit", status: http.StatusOK, want: []string{"Later entries", "Latest entries"}},
		{name: "audit later page", role: "admin", path: "/audit?after=20", status: http.StatusOK,
			want: []string{`<th scope="row">21</th>`, "Oldest entries"}, not: []string{`<th scope="row">20</th>`}},
		{name: "audit subject with no entries", role: "admin", path: "/audit?subject=app:nope", status: http.StatusOK,
			want: []string{"No entries about <code>app:nope</code>"}},
	}...)
	for _, role := range []string{"developer", "team-lead", "platform", "no role"} {
		scenarios = append(scenarios, scenario{name: role + " may not read the audit", role: role, path: "/audit", status: http.StatusForbidden,
			want: []string{"You do not have access to this", "security and admins may"}, not: []string{"Created a team"}})
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			res := p.get(t, sc.role, sc.path, sc.headers...)
			check(t, res, sc)
		})
	}
}

// check compares a response with a scenario, and checks the headers every
// response carries.
func check(t *testing.T, res response, sc scenario) {
	t.Helper()
	if res.status != sc.status {
		t.Fatalf("status %d, want %d; body:\n%s", res.status, sc.status, res.body)
	}
	if sc.location != "" && res.header.Get("Location") != sc.location {
		t.Errorf("Location %q, want %q", res.header.Get("Location"), sc.location)
	}
	for _, w := range sc.want {
		if !strings.Contains(res.body, w) {
			t.Errorf("body lacks %q:\n%s", w, res.body)
		}
	}
	for _, n := range sc.not {
		if strings.Contains(res.body, n) {
			t.Errorf("body holds %q:\n%s", n, res.body)
		}
	}
	for name, want := range map[string]string{
		"Content-Security-Policy": "default-src 'none'; script-src 'self'",
		"X-Frame-Options":         "DENY",
		"Referrer-Policy":         "same-origin",
		"X-Content-Type-Options":  "nosniff",
	} {
		if got := res.header.Get(name); !strings.HasPrefix(got, want) {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
}

// TestStatic checks that htmx and the style sheet are served from the
// binary, with htmx's licence notice.
func TestStatic(t *testing.T) {
	t.Parallel()
	p := newPlatform(t)
	for path, want := range map[string]string{
		"/static/htmx.min.js":  "htmx 2.0.11",
		"/static/runway.css":   ":focus-visible",
		"/static/htmx.LICENSE": "Zero-Clause BSD",
	} {
		res := p.get(t, "", path)
		if res.status != http.StatusOK || !strings.Contains(res.body, want) {
			t.Errorf("%s: status %d, body lacks %q", path, res.status, want)
		}
	}
	for _, path := range []string{"/static/nope.js", "/static/"} {
		if res := p.get(t, "", path); res.status != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", path, res.status)
		}
	}
	res := p.get(t, "admin", "/apps")
	for _, external := range []string{"http://", "https://", "<script>", "style="} {
		if strings.Contains(res.body, external) {
			t.Errorf("the apps page holds %q: pages load nothing from elsewhere and have no inline script or style", external)
		}
	}
}
