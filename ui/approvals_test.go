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

// requests are the promotion requests withRequests makes.
type requests struct {
	// expense: developer submitted version 2 of expense-approvals and asks
	// for staging; the team lead of web must approve.
	expense int64
	// ledger: lead-data, the only team lead of data, submitted ledger and
	// asks for staging, so the platform team approves instead.
	ledger int64
}

// withRequests adds two open promotion requests to a platform, through
// the real release.Promoter.
func withRequests(t testing.TB, p *platform) requests {
	t.Helper()
	p.submit(t, "developer", expenseApprovals())
	p.clock.Advance(10 * time.Minute)
	expense := p.promote(t, "developer", release.PromoteRequest{App: "expense-approvals", Environment: runway.EnvStaging,
		Note: "Totals on the monthly report are right again."})
	p.clock.Advance(20 * time.Minute)
	ledger := p.promote(t, "lead-data", release.PromoteRequest{App: "ledger", Environment: runway.EnvStaging})
	p.clock.Advance(time.Hour)
	return requests{expense: expense.ID, ledger: ledger.ID}
}

// promote asks for a promotion as the person named role.
func (p *platform) promote(t testing.TB, role string, req release.PromoteRequest) *runway.Promotion {
	t.Helper()
	pr, err := p.promoter.Promote(context.Background(), access.Principal{User: p.users[role]}, req)
	if err != nil {
		t.Fatalf("promote %s to %s: %v", req.App, req.Environment, err)
	}
	if pr.State != runway.PromotionPending {
		t.Fatalf("promote %s to %s: state %s, want pending", req.App, req.Environment, pr.State)
	}
	return pr
}

// send posts a form as the person named role, with their session's CSRF
// token when csrf is set.
func (p *platform) send(t testing.TB, role, path string, form url.Values, csrf bool, headers ...string) response {
	t.Helper()
	form = cloneForm(form)
	var cookie *http.Cookie
	if role != "" {
		var token string
		cookie, token = p.signIn(t, role)
		if csrf {
			form.Set("csrf", token)
		}
	}
	req, err := http.NewRequest(http.MethodPost, p.srv.URL+path, strings.NewReader(form.Encode()))
	must(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if cookie != nil {
		req.AddCookie(cookie)
	}
	return p.do(t, "", req, headers...)
}

func cloneForm(f url.Values) url.Values {
	out := url.Values{}
	for k, v := range f {
		out[k] = append([]string(nil), v...)
	}
	return out
}

// state returns a promotion's state in the store.
func (p *platform) state(t testing.TB, id int64) runway.PromotionState {
	t.Helper()
	pr, err := p.store.FindPromotion(context.Background(), id)
	must(t, err)
	return pr.State
}

// TestApprovalRoutes covers the approval pages for every kind of reader:
// who is sent to sign in, whose inbox holds what, who may answer, and why
// the others may not.
func TestApprovalRoutes(t *testing.T) {
	t.Parallel()
	p := newPlatform(t)
	rq := withRequests(t, p)
	expense, ledger := fmt.Sprintf("/approvals/%d", rq.expense), fmt.Sprintf("/approvals/%d", rq.ledger)
	const (
		form     = `<form class="stack answer" method="post"`
		count1   = `id="inbox-count">1<`
		nothing  = "Nothing waits for you."
		sod      = "You submitted candidate #2, so someone else must review it (separation of duties)."
		cannot   = "You cannot approve or reject this request."
		promote  = `action="/apps/expense-approvals/promote"`
		noLeader = "It needs one team lead of web, and you hold none of these roles."
	)
	link := func(path string) string { return `<a href="` + path + `">` }
	scenarios := []scenario{
		{name: "anonymous inbox", path: "/approvals", status: http.StatusSeeOther, location: "/sign-in?next=%2Fapprovals"},
		{name: "anonymous request", path: expense, status: http.StatusSeeOther, location: "/sign-in?next=" + url.QueryEscape(expense)},

		{name: "team lead's inbox", role: "team-lead", path: "/approvals", status: http.StatusOK,
			want: []string{"Waiting for you", "1 request waits for your answer", link(expense) + "expense-approvals</a>", `<td data-label="Version">#2</td>`,
				`<td data-label="To">staging</td>`, "Tier 2: team use", `<td data-label="Asked by">developer@example.com</td>`, "1 hour ago", "in 6 days",
				count1, "Recent requests", "expense-approvals #2 to staging", "Waiting for approval", `href="/approvals" aria-current="page"`},
			not: []string{"ledger", nothing}},
		{name: "developer's inbox", role: "developer", path: "/approvals", status: http.StatusOK,
			want: []string{nothing, "Recent requests", link(expense) + "expense-approvals #2 to staging</a>"},
			not:  []string{`id="inbox-count"`, `id="inbox"`, "ledger"}},
		{name: "platform's inbox holds the fallback", role: "platform", path: "/approvals", status: http.StatusOK,
			want: []string{link(ledger) + "ledger</a>", count1, "expense-approvals #2 to staging"}, not: []string{link(expense) + "expense-approvals</a>"}},
		{name: "security's inbox", role: "security", path: "/approvals", status: http.StatusOK,
			want: []string{nothing, "ledger #1 to staging", "expense-approvals #2 to staging"}, not: []string{`id="inbox-count"`}},
		{name: "admin's inbox holds both", role: "admin", path: "/approvals", status: http.StatusOK,
			want: []string{`id="inbox-count">2<`, "2 requests wait", link(ledger) + "ledger</a>", link(expense) + "expense-approvals</a>"}},
		{name: "no role sees no requests", role: "no role", path: "/approvals", status: http.StatusOK,
			want: []string{nothing, "No promotion requests yet"}, not: []string{"expense-approvals", "ledger"}},
		{name: "the badge is on every page", role: "team-lead", path: "/apps", status: http.StatusOK,
			want: []string{count1, `<a href="/approvals">Approvals`}},

		{name: "team lead reads the request", role: "team-lead", path: expense, status: http.StatusOK,
			want: []string{"<h1>expense-approvals #2 to staging</h1>", `id="state">Waiting for approval<`,
				"<li>Needs one team lead of web.</li>", "expense-approvals is tier 2", "expects 60 users",
				"Approval by a team lead of team web", `<span class="badge approval">Waiting</span>`,
				"Totals on the monthly report are right again.", "Findings: 2, none blocking.",
				"express 5.1.0 has a known vulnerability: open redirect", "fixed in 5.1.1", "First production release: 1 component.",
				"New licence: <strong>MIT</strong> (express@5.1.0)", "<code>express</code> 5.1.0, MIT", "None yet.",
				form, `action="` + expense + `/answer"`, `name="verdict" value="approve"`, `name="verdict" value="reject"`, "Required to reject", "in 6 days"},
			not: []string{cannot}},
		{name: "the submitter may not answer", role: "developer", path: expense, status: http.StatusOK,
			want: []string{`id="cannot-answer"`, cannot + " " + sod, "Why it needs approval"}, not: []string{form, `name="verdict"`}},
		{name: "security may not answer a team lead's request", role: "security", path: expense, status: http.StatusOK,
			want: []string{cannot + " " + noLeader}, not: []string{form}},
		{name: "another team may not read it", role: "lead-data", path: expense, status: http.StatusForbidden,
			want: []string{"You do not have access to this"}, not: []string{"Totals on the monthly report"}},
		{name: "platform answers the fallback", role: "platform", path: ledger, status: http.StatusOK,
			want: []string{"<h1>ledger #1 to staging</h1>", "Approval by the platform team", "Stands in for a team lead",
				"Team data has no other team lead who could approve", form}},
		{name: "the requester of the fallback may not answer", role: "lead-data", path: ledger, status: http.StatusOK,
			want: []string{cannot, "separation of duties"}, not: []string{form}},
		{name: "unknown request", role: "admin", path: "/approvals/999", status: http.StatusNotFound, want: []string{"Not found"}},
		{name: "not a request id", role: "admin", path: "/approvals/x", status: http.StatusNotFound, want: []string{"there is no promotion request &#34;x&#34;"}},

		{name: "team members may ask for a promotion", role: "developer", path: "/apps/expense-approvals", status: http.StatusOK,
			want: []string{"Request promotion", promote, `<option value="production">Production</option>`, `name="note"`, `name="csrf"`}},
		{name: "others may not ask", role: "security", path: "/apps/expense-approvals", status: http.StatusOK, not: []string{promote}},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			check(t, p.get(t, sc.role, sc.path), sc)
		})
	}
	// Reading changes nothing.
	for _, id := range []int64{rq.expense, rq.ledger} {
		if st := p.state(t, id); st != runway.PromotionPending {
			t.Errorf("request %d is %s after reading, want pending", id, st)
		}
	}
}

// TestAnswer posts answers to the team lead's request, each on a fresh
// platform: what is refused changes nothing, and an answer goes back to
// the request with its result.
func TestAnswer(t *testing.T) {
	t.Parallel()
	const script = `<script>alert("x")</script>`
	for _, tt := range []struct {
		name    string
		role    string
		form    url.Values
		csrf    bool
		headers []string
		status  int
		want    []string // on the answer's page, or on the request after the redirect
		not     []string
		after   runway.PromotionState
	}{
		{name: "approve", role: "team-lead", form: url.Values{"verdict": {"approve"}, "reason": {"Checked the totals."}}, csrf: true,
			status: http.StatusSeeOther, after: runway.PromotionStarted,
			want: []string{`id="state">Started<`, "Your answer is recorded: you approved this request.", "Approved; deployment of candidate #2 to staging started.",
				"<strong>team-lead@example.com</strong>", "as a team lead, via web", "Checked the totals.", "approved by team-lead@example.com",
				"This request is closed"},
			not: []string{`name="verdict"`, `id="inbox-count"`}},
		{name: "reject with a reason", role: "team-lead", form: url.Values{"verdict": {"reject"}, "reason": {"The export has no row limit."}}, csrf: true,
			status: http.StatusSeeOther, after: runway.PromotionRejected,
			want: []string{`id="state">Rejected<`, "you rejected this request", "Rejected by team-lead@example.com: The export has no row limit."}},
		{name: "a reason is escaped", role: "team-lead", form: url.Values{"verdict": {"reject"}, "reason": {script}}, csrf: true,
			status: http.StatusSeeOther, after: runway.PromotionRejected,
			want: []string{"&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;"}, not: []string{script}},
		{name: "reject without a reason", role: "team-lead", form: url.Values{"verdict": {"reject"}, "reason": {"  "}}, csrf: true,
			status: http.StatusBadRequest, after: runway.PromotionPending,
			want: []string{`id="problem">say why you reject it`, `<form class="stack answer"`, `id="state">Waiting for approval<`}},
		{name: "a refused answer keeps the reason", role: "team-lead", form: url.Values{"verdict": {"maybe"}, "reason": {"Looks fine " + script}}, csrf: true,
			status: http.StatusBadRequest, after: runway.PromotionPending,
			want: []string{`verdict &#34;maybe&#34;: answer approve or reject`, "Looks fine &lt;script&gt;"}, not: []string{script}},
		{name: "without the CSRF token", role: "team-lead", form: url.Values{"verdict": {"approve"}}, csrf: false,
			status: http.StatusForbidden, after: runway.PromotionPending, want: []string{"CSRF check"}},
		{name: "from another site", role: "team-lead", form: url.Values{"verdict": {"approve"}}, csrf: true, headers: []string{"Origin", "https://evil.example"},
			status: http.StatusForbidden, after: runway.PromotionPending, want: []string{"CSRF check"}},
		{name: "the submitter is refused", role: "developer", form: url.Values{"verdict": {"approve"}}, csrf: true,
			status: http.StatusForbidden, after: runway.PromotionPending,
			want: []string{`id="problem">you cannot answer this request: you submitted candidate #2`, "separation of duties"}, not: []string{`name="verdict"`}},
		{name: "another team is refused", role: "lead-data", form: url.Values{"verdict": {"approve"}}, csrf: true,
			status: http.StatusForbidden, after: runway.PromotionPending, want: []string{"You do not have access to this"}},
		{name: "nobody signed in", form: url.Values{"verdict": {"approve"}}, status: http.StatusSeeOther, after: runway.PromotionPending},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := newPlatform(t)
			rq := withRequests(t, p)
			path := fmt.Sprintf("/approvals/%d", rq.expense)
			res := p.send(t, tt.role, path+"/answer", tt.form, tt.csrf, tt.headers...)
			sc := scenario{status: tt.status, want: tt.want, not: tt.not}
			if tt.status == http.StatusSeeOther {
				sc.location, sc.want, sc.not = path+"?answered=1", nil, nil
				if tt.role == "" {
					sc.location = "/sign-in?next=" + url.QueryEscape(path)
				}
			}
			check(t, res, sc)
			if st := p.state(t, rq.expense); st != tt.after {
				t.Fatalf("the request is %s, want %s", st, tt.after)
			}
			if tt.status == http.StatusSeeOther && tt.role != "" {
				check(t, p.get(t, tt.role, sc.location), scenario{status: http.StatusOK, want: tt.want, not: tt.not})
			}
		})
	}
}

// TestAnswerTwice: the second answer finds the request decided.
func TestAnswerTwice(t *testing.T) {
	t.Parallel()
	p := newPlatform(t)
	rq := withRequests(t, p)
	path := fmt.Sprintf("/approvals/%d/answer", rq.ledger)
	check(t, p.send(t, "platform", path, url.Values{"verdict": {"approve"}}, true), scenario{status: http.StatusSeeOther})
	check(t, p.send(t, "admin", path, url.Values{"verdict": {"reject"}, "reason": {"too late"}}, true), scenario{status: http.StatusConflict,
		want: []string{fmt.Sprintf(`id="problem">promotion request %d is started`, rq.ledger), "This request is closed"}, not: []string{`name="verdict"`}})
}

// TestPromoteForm asks for promotions from the app page's form.
func TestPromoteForm(t *testing.T) {
	t.Parallel()
	p := newPlatform(t)
	const script = `<script>alert(1)</script>`
	note := url.Values{"environment": {"production"}, "note": {"Fixes the totals " + script}}
	check(t, p.send(t, "developer", "/apps/expense-approvals/promote", note, false), scenario{status: http.StatusForbidden, want: []string{"CSRF check"}})
	res := p.send(t, "developer", "/apps/expense-approvals/promote", note, true)
	check(t, res, scenario{status: http.StatusSeeOther})
	page := res.header.Get("Location")
	if !strings.HasPrefix(page, "/approvals/") {
		t.Fatalf("the form leads to %q, want the new request's page", page)
	}
	// team-lead submitted version 1: the platform team stands in.
	check(t, p.get(t, "platform", page), scenario{status: http.StatusOK,
		want: []string{"<h1>expense-approvals #1 to production</h1>", "Fixes the totals &lt;script&gt;alert(1)&lt;/script&gt;", "Note from developer@example.com",
			`<form class="stack answer"`}, not: []string{script}})
	check(t, p.get(t, "platform", "/approvals"), scenario{status: http.StatusOK, want: []string{`id="inbox-count">1<`, "expense-approvals #1 to production"}})

	for _, tt := range []struct {
		name, role, app, env string
		status               int
		want                 string
	}{
		{"tier 1 stays in the sandbox", "team-lead", "wiki", "staging", http.StatusUnprocessableEntity, "tier 1 apps run only in their sandbox"},
		{"another team", "security", "expense-approvals", "staging", http.StatusForbidden, "only developers and team leads"},
		{"no such environment", "developer", "expense-approvals", "moon", http.StatusBadRequest, "environment &#34;moon&#34;"},
		{"no such app", "developer", "nope", "staging", http.StatusNotFound, "there is no app named"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			check(t, p.send(t, tt.role, "/apps/"+tt.app+"/promote", url.Values{"environment": {tt.env}}, true),
				scenario{status: tt.status, want: []string{tt.want}})
		})
	}
	check(t, p.send(t, "", "/apps/wiki/promote", url.Values{"environment": {"staging"}}, true),
		scenario{status: http.StatusSeeOther, location: "/sign-in?next=%2Fapps%2Fwiki"})

	// Break-glass from the form: a second person must confirm it.
	res = p.send(t, "developer", "/apps/expense-approvals/promote", url.Values{"environment": {"production"}, "note": {"totals page is down for everyone"}, "break_glass": {"yes"}}, true)
	check(t, res, scenario{status: http.StatusSeeOther})
	check(t, p.get(t, "developer", res.header.Get("Location")), scenario{status: http.StatusOK,
		want: []string{"a second person to confirm the break-glass release", "Withdraw request"}})
	// The requester withdraws it; others cannot.
	withdraw := strings.Replace(res.header.Get("Location"), "/approvals/", "/approvals/", 1) + "/withdraw"
	check(t, p.send(t, "team-lead", withdraw, url.Values{}, true), scenario{status: http.StatusForbidden, want: []string{"who asked for it, or an admin, may withdraw"}})
	check(t, p.send(t, "developer", withdraw, url.Values{"reason": {"fixed by a config change"}}, true), scenario{status: http.StatusSeeOther})
	check(t, p.get(t, "developer", res.header.Get("Location")), scenario{status: http.StatusOK,
		want: []string{"Withdrawn by developer@example.com: fixed by a config change"}, not: []string{"Withdraw request"}})
}
