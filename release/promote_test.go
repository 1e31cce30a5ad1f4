package release_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/access"
	"github.com/runwayhq/runway/opa"
	"github.com/runwayhq/runway/release"
	"github.com/runwayhq/runway/runwaytest"
	"github.com/runwayhq/runway/sqlstore"
	"github.com/runwayhq/runway/window"
)

// world is a server's release side on a real store: teams web and data,
// and one person per role.
type world struct {
	store    *sqlstore.DB
	submit   *release.Service
	promoter *release.Promoter
	clock    *runwaytest.Clock
	notices  *noticeLog
}

// people: name → grants. "solo" leads team "solo" alone.
var people = map[string][]runway.RoleGrant{
	"dev":       {{Role: runway.RoleDeveloper, Team: "web"}},
	"dev2":      {{Role: runway.RoleDeveloper, Team: "web"}},
	"lead":      {{Role: runway.RoleTeamLead, Team: "web"}},
	"lead2":     {{Role: runway.RoleTeamLead, Team: "web"}},
	"datalead":  {{Role: runway.RoleTeamLead, Team: "data"}},
	"security":  {{Role: runway.RoleSecurity}},
	"security2": {{Role: runway.RoleSecurity}},
	"platform":  {{Role: runway.RolePlatform}},
	"admin":     {{Role: runway.RoleAdmin}},
	"admin2":    {{Role: runway.RoleAdmin}},
	"solo":      {{Role: runway.RoleTeamLead, Team: "solo"}},
}

type noticeLog struct {
	mu sync.Mutex
	ns []runway.Notice
}

func (l *noticeLog) all() []runway.Notice {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]runway.Notice(nil), l.ns...)
}

func newWorld(t testing.TB, url string) *world {
	t.Helper()
	w := &world{clock: runwaytest.NewClock(), notices: &noticeLog{}}
	if url == "" {
		url = filepath.Join(t.TempDir(), "runway.db")
	}
	store, err := sqlstore.Open(context.Background(), sqlstore.Options{URL: url, Now: w.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	store.SetOutbox(func(_ context.Context, _ *sql.Tx, n runway.Notice) error {
		w.notices.mu.Lock()
		w.notices.ns = append(w.notices.ns, n)
		w.notices.mu.Unlock()
		return nil
	})
	w.store = store
	for _, team := range []string{"web", "data", "solo"} {
		if err := store.CreateTeam(runwaytest.Ctx, &runway.Team{Name: team}); err != nil {
			t.Fatal(err)
		}
	}
	for name, grants := range people {
		if err := store.CreateUser(runwaytest.Ctx, &runway.User{Email: name + "@example.com", Grants: grants}); err != nil {
			t.Fatal(err)
		}
	}
	engines, err := opa.NewEnvironmentEngines(context.Background(), opa.Options{Now: w.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	engine, err := opa.New(context.Background(), opa.Options{Now: w.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	w.promoter = &release.Promoter{Apps: store, Candidates: store, Promotions: store, People: store, Policies: engines,
		Now: w.clock.Now, URL: func(id int64) string { return fmt.Sprintf("http://runway.test/approvals/%d", id) }}
	w.submit = &release.Service{Apps: store, Candidates: store, Decider: engine, Promoter: w.promoter}
	return w
}

// as returns the principal of one of people, as the store knows them.
func (w *world) as(t testing.TB, name string) access.Principal {
	t.Helper()
	u, err := w.store.FindUser(context.Background(), name+"@example.com")
	if err != nil {
		t.Fatal(err)
	}
	return access.Principal{User: u}
}

// submitApp submits a tier-2 app of team (internal data, team audience)
// as submitter; n makes the source digest distinct.
func (w *world) submitApp(t testing.TB, submitter, app, team string, n int) *runway.Candidate {
	t.Helper()
	c, err := w.trySubmit(t, submitter, app, team, n)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (w *world) trySubmit(t testing.TB, submitter, app, team string, n int) (*runway.Candidate, error) {
	sub := clean(app, team)
	sum := sha256.Sum256([]byte(fmt.Sprintf("%s-%d", app, n)))
	sub.SourceDigest = "sha256:" + hex.EncodeToString(sum[:])
	return w.submit.Submit(context.Background(), w.as(t, submitter), sub)
}

func (w *world) promote(t testing.TB, requester, app string, env runway.Environment) *runway.Promotion {
	t.Helper()
	p, err := w.promoter.Promote(context.Background(), w.as(t, requester), release.PromoteRequest{App: app, Environment: env})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func approve(w *world, t testing.TB, who string, id int64) (*runway.Promotion, error) {
	return w.promoter.Answer(context.Background(), w.as(t, who), id, release.Answer{Verdict: runway.Approve, Via: "cli"})
}

// TestSeparationOfDuties: who may approve a tier-2 promotion of team web's
// app, submitted by "dev" and requested by "lead" — admins included.
func TestSeparationOfDuties(t *testing.T) {
	cases := []struct {
		name, submitter, requester, approver string
		code                                 string // "" when the approval starts the deployment
		says                                 string
	}{
		{"the submitter", "dev", "lead", "dev", runway.EFORBIDDEN, "you submitted candidate #1"},
		{"the requester", "dev", "lead", "lead", runway.EFORBIDDEN, "you asked for this promotion"},
		{"a developer of the same team", "dev", "lead", "dev2", runway.EFORBIDDEN, "one team lead of web; you hold none"},
		{"another team lead of the same team", "dev", "lead", "lead2", "", ""},
		{"a team lead of another team", "dev", "lead", "datalead", runway.EFORBIDDEN, "you may not approve or reject promotions for team web"},
		{"security, for a team lead's approval", "dev", "lead", "security", runway.EFORBIDDEN, "one team lead of web; you hold none"},
		{"an admin who submitted", "admin", "lead", "admin", runway.EFORBIDDEN, "you submitted candidate #1"},
		{"an admin who asked", "dev", "admin", "admin", runway.EFORBIDDEN, "you asked for this promotion"},
		{"an uninvolved admin", "dev", "lead", "admin", "", ""},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, "")
			w.submitApp(t, tt.submitter, "wiki", "web", 1)
			p := w.promote(t, tt.requester, "wiki", runway.EnvStaging)
			if p.State != runway.PromotionPending || len(p.Requirements) != 1 || p.Requirements[0].Role != runway.RoleTeamLead {
				t.Fatalf("promotion: %+v", p)
			}
			got, err := approve(w, t, tt.approver, p.ID)
			if tt.code == "" {
				if err != nil {
					t.Fatal(err)
				}
				if got.State != runway.PromotionStarted || got.Deployment == 0 {
					t.Fatalf("approved promotion: %+v", got)
				}
				return
			}
			if runway.ErrorCode(err) != tt.code || !strings.Contains(err.Error(), tt.says) {
				t.Fatalf("error %v, want %s saying %q", err, tt.code, tt.says)
			}
			after, err := w.store.FindPromotion(context.Background(), p.ID)
			if err != nil || after.State != runway.PromotionPending || len(after.Approvals) != 0 {
				t.Fatalf("a refused approval changed the promotion: %+v %v", after, err)
			}
		})
	}
}

// TestEachPersonCountsOnce: an admin may meet security or platform, but
// not both; a second approval by the same person is refused.
func TestEachPersonCountsOnce(t *testing.T) {
	w := newWorld(t, "")
	sub := clean("payroll", "web")
	sub.Manifest = []byte("name: payroll\nowner: web\nrisk: high\naudience: org\ndata: [pii]\nrun:\n  test: npm test\n")
	if _, err := w.submit.Submit(context.Background(), w.as(t, "dev"), sub); err != nil {
		t.Fatal(err)
	}
	p := w.promote(t, "dev", "payroll", runway.EnvStaging)
	if len(p.Requirements) != 2 {
		t.Fatalf("tier 3 staging needs security and platform: %+v", p.Requirements)
	}
	asSecurity := release.Answer{Verdict: runway.Approve, As: runway.RoleSecurity, Via: "cli"}
	if _, err := w.promoter.Answer(context.Background(), w.as(t, "admin"), p.ID, asSecurity); err != nil {
		t.Fatal(err)
	}
	if _, err := approve(w, t, "admin", p.ID); runway.ErrorCode(err) != runway.ECONFLICT || !strings.Contains(err.Error(), "each person counts once") {
		t.Fatalf("second approval by the same admin: %v", err)
	}
	got, err := approve(w, t, "platform", p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != runway.PromotionStarted {
		t.Fatalf("admin (security) + platform should start it: %+v", got)
	}
}

// TestOnePersonTeamFallsBack: the only team lead of "solo" submitted, so
// the platform team approves instead; the rule is not switched off.
func TestOnePersonTeamFallsBack(t *testing.T) {
	w := newWorld(t, "")
	w.submitApp(t, "solo", "tool", "solo", 1)
	p := w.promote(t, "solo", "tool", runway.EnvProduction)
	q := p.Requirements[0]
	if !q.Fallback || q.Role != runway.RolePlatform || !strings.Contains(q.Why, "Team solo has no other team lead") {
		t.Fatalf("requirement: %+v", q)
	}
	if _, err := approve(w, t, "solo", p.ID); runway.ErrorCode(err) != runway.EFORBIDDEN {
		t.Fatalf("the solo lead approved their own: %v", err)
	}
	got, err := approve(w, t, "platform", p.ID)
	if err != nil || got.State != runway.PromotionStarted {
		t.Fatalf("platform fallback: %+v %v", got, err)
	}
}

// TestBreakGlass needs a second person and a reason, skips the window and
// is audited loudly.
func TestBreakGlass(t *testing.T) {
	w := newWorld(t, "")
	cal, err := window.Compile([]window.Spec{{Name: "never now", Cron: "0 3 1 1 *", Duration: time.Hour}})
	if err != nil {
		t.Fatal(err)
	}
	w.promoter.Windows = cal
	w.submitApp(t, "dev", "wiki", "web", 1)
	if _, err := w.promoter.Promote(context.Background(), w.as(t, "dev"), release.PromoteRequest{App: "wiki", Environment: runway.EnvProduction, BreakGlass: true, Note: "down"}); runway.ErrorCode(err) != runway.EINVALID {
		t.Fatalf("break-glass without a real reason: %v", err)
	}
	p, err := w.promoter.Promote(context.Background(), w.as(t, "dev"), release.PromoteRequest{App: "wiki", Environment: runway.EnvProduction, BreakGlass: true, Note: "payments page is down for everyone"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := approve(w, t, "dev", p.ID); runway.ErrorCode(err) != runway.EFORBIDDEN {
		t.Fatalf("the requester confirmed their own break-glass: %v", err)
	}
	if _, err := approve(w, t, "dev2", p.ID); runway.ErrorCode(err) != runway.EFORBIDDEN {
		t.Fatalf("a developer confirmed a break-glass: %v", err)
	}
	got, err := approve(w, t, "security", p.ID)
	if err != nil || got.State != runway.PromotionStarted {
		t.Fatalf("break-glass confirmed outside the window should start: %+v %v", got, err)
	}
	entries, err := w.store.AuditEntries(context.Background(), runway.AuditFilter{Subject: fmt.Sprintf("promotion:%d", p.ID)})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range entries {
		actions = append(actions, e.Action)
	}
	if want := "promotion.break_glass.request promotion.break_glass.confirm promotion.start"; strings.Join(actions, " ") != want {
		t.Fatalf("audit: %v, want %s", actions, want)
	}
	loud := false
	for _, n := range w.notices.all() {
		loud = loud || n.Kind == runway.NoticeBreakGlass && strings.Contains(strings.Join(n.Text, " "), "payments page is down")
	}
	if !loud {
		t.Fatal("no break-glass notice")
	}
}

// TestApprovalsBindToTheCandidate: a newer candidate voids the request and
// its approvals; approvals and requests expire.
func TestApprovalsBindToTheCandidate(t *testing.T) {
	w := newWorld(t, "")
	w.submitApp(t, "dev", "payroll", "web", 1)
	p := w.promote(t, "dev", "payroll", runway.EnvProduction)
	w.submitApp(t, "dev", "payroll", "web", 2)
	after, err := w.store.FindPromotion(context.Background(), p.ID)
	if err != nil || after.State != runway.PromotionVoided || !strings.Contains(after.Outcome, "candidate #2 was submitted") {
		t.Fatalf("after a newer candidate: %+v %v", after, err)
	}
	if _, err := approve(w, t, "lead", p.ID); runway.ErrorCode(err) != runway.ECONFLICT {
		t.Fatalf("approving a voided request: %v", err)
	}
	// Expiry: 7 days by default, then the sweeper ends it.
	p = w.promote(t, "dev", "payroll", runway.EnvProduction)
	w.clock.Advance(7*24*time.Hour + time.Minute)
	if _, err := approve(w, t, "lead", p.ID); runway.ErrorCode(err) != runway.ECONFLICT || !strings.Contains(err.Error(), "Expired") {
		t.Fatalf("approving an expired request: %v", err)
	}
	// A rejection needs a reason, and ends the request.
	p = w.promote(t, "dev", "payroll", runway.EnvProduction)
	if _, err := w.promoter.Answer(context.Background(), w.as(t, "lead"), p.ID, release.Answer{Verdict: runway.Reject}); runway.ErrorCode(err) != runway.EINVALID {
		t.Fatalf("rejecting without a reason: %v", err)
	}
	got, err := w.promoter.Answer(context.Background(), w.as(t, "lead"), p.ID, release.Answer{Verdict: runway.Reject, Reason: "the export has no row limit"})
	if err != nil || got.State != runway.PromotionRejected || !strings.Contains(got.Outcome, "no row limit") {
		t.Fatalf("rejection: %+v %v", got, err)
	}
}

// TestReleaseWindowSchedules: approved outside the window, it is scheduled
// for the next opening and started by the sweeper then.
func TestReleaseWindowSchedules(t *testing.T) { bothStores(t, releaseWindowSchedules) }

func releaseWindowSchedules(t *testing.T, w *world) {
	// The clock starts on Sun 29 Nov 2026 09:00 UTC.
	cal, err := window.Compile([]window.Spec{{Name: "weekday mornings", Cron: "0 9 * * 1-4", Duration: 6 * time.Hour, Environments: []runway.Environment{runway.EnvProduction}}})
	if err != nil {
		t.Fatal(err)
	}
	w.promoter.Windows = cal
	w.submitApp(t, "dev", "wiki", "web", 1)
	p := w.promote(t, "dev", "wiki", runway.EnvProduction)
	got, err := approve(w, t, "lead", p.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	if got.State != runway.PromotionScheduled || got.ScheduledFor == nil || !got.ScheduledFor.Equal(want) || got.Deployment != 0 {
		t.Fatalf("scheduled: %+v", got)
	}
	if err := w.promoter.Sweep(context.Background()); err != nil {
		t.Fatal(err)
	}
	if p, _ := w.store.FindPromotion(context.Background(), p.ID); p.State != runway.PromotionScheduled {
		t.Fatalf("started before the window: %+v", p)
	}
	w.clock.Advance(24 * time.Hour)
	if err := w.promoter.Sweep(context.Background()); err != nil {
		t.Fatal(err)
	}
	if p, _ := w.store.FindPromotion(context.Background(), p.ID); p.State != runway.PromotionStarted || p.Deployment == 0 {
		t.Fatalf("not started when the window opened: %+v", p)
	}
}

// TestStaleApprovalsNeverPromote races submissions against approvals:
// 1,000 races, each a new candidate submitted while the team lead
// approves the request for the previous one. Whatever the order, no
// deployment may start for a candidate that was not the newest, nor on an
// approval of another candidate or a voided one.
func TestStaleApprovalsNeverPromote(t *testing.T) { bothStores(t, raceSubmitApprove) }

// bothStores runs test on a world on SQLite and on one on PostgreSQL.
func bothStores(t *testing.T, test func(*testing.T, *world)) {
	t.Run("sqlite", func(t *testing.T) { test(t, newWorld(t, "")) })
	t.Run("postgres", func(t *testing.T) { test(t, newWorld(t, runwaytest.FreshSchema(t))) })
}

func raceSubmitApprove(t *testing.T, w *world) {
	races := 1000
	if testing.Short() {
		races = 100
	}
	const apps = 4
	var wg sync.WaitGroup
	errs := make(chan error, races*2)
	for a := range apps {
		app := fmt.Sprintf("race%d", a)
		w.submitApp(t, "dev", app, "web", 0)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range races / apps {
				p, err := w.promoter.Promote(context.Background(), w.as(t, "dev"), release.PromoteRequest{App: app, Environment: runway.EnvStaging})
				if err != nil {
					errs <- fmt.Errorf("promote: %w", err)
					return
				}
				var race sync.WaitGroup
				race.Add(2)
				go func() {
					defer race.Done()
					if _, err := w.trySubmit(t, "dev", app, "web", i+1); err != nil {
						errs <- fmt.Errorf("submit: %w", err)
					}
				}()
				go func() {
					defer race.Done()
					_, err := approve(w, t, "lead", p.ID)
					if err != nil && runway.ErrorCode(err) != runway.ECONFLICT {
						errs <- fmt.Errorf("approve: %w", err)
					}
				}()
				race.Wait()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	started, stale := checkNoStalePromotion(t, w)
	t.Logf("%d races: %d deployments started, %d refused or voided", races, started, races-started)
	if stale != 0 {
		t.Fatalf("%d deployments started on a stale candidate or approval", stale)
	}
	if started == 0 || started == races {
		t.Fatalf("%d of %d races started a deployment: the race did not interleave, so it proved nothing", started, races)
	}
}

// checkNoStalePromotion replays the audit trail in order: each deployment
// must deploy its app's newest candidate at that point, and every approval
// the start counted must bind to that candidate and never be voided.
func checkNoStalePromotion(t *testing.T, w *world) (started, stale int) {
	t.Helper()
	ctx := context.Background()
	newest := map[string]string{} // app → digest of its newest candidate
	var after int64
	for {
		es, err := w.store.AuditEntries(ctx, runway.AuditFilter{Page: runway.Page{After: after, Limit: 1000}})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range es {
			var data map[string]any
			if err := json.Unmarshal(e.Data, &data); err != nil {
				t.Fatal(err)
			}
			switch e.Action {
			case "candidate.create":
				app := strings.SplitN(strings.TrimPrefix(e.Subject, "candidate:"), "#", 2)[0]
				newest[app] = data["source_digest"].(string)
			case "deployment.create":
				started++
				app, digest := data["app"].(string), data["candidate_digest"].(string)
				if newest[app] != digest {
					stale++
					t.Errorf("audit #%d: deployment of %s candidate %s while %s was the newest", e.Seq, app, digest, newest[app])
				}
				p, err := w.store.FindPromotion(ctx, int64(data["promotion"].(float64)))
				if err != nil {
					t.Fatal(err)
				}
				counted := 0
				for _, a := range p.Approvals {
					if a.Verdict == runway.Approve && a.VoidedAt == nil && a.CandidateDigest == digest {
						counted++
					}
				}
				if counted == 0 {
					stale++
					t.Errorf("deployment of promotion %d has no current approval bound to %s: %+v", p.ID, digest, p.Approvals)
				}
			}
			after = e.Seq
		}
		if len(es) < 1000 {
			return started, stale
		}
	}
}

// TestRemindersAndFriction: approvers are reminded once, a day before the
// request expires; the friction figures count what happened.
func TestRemindersAndFriction(t *testing.T) { bothStores(t, remindersAndFriction) }

func remindersAndFriction(t *testing.T, w *world) {
	w.submitApp(t, "dev", "wiki", "web", 1)
	p := w.promote(t, "dev", "wiki", runway.EnvStaging)
	reminders := func() int {
		n := 0
		for _, x := range w.notices.all() {
			if x.Kind == runway.NoticeApprovalReminder && x.PromotionID == p.ID {
				n++
			}
		}
		return n
	}
	w.clock.Advance(5 * 24 * time.Hour)
	if err := w.promoter.Sweep(context.Background()); err != nil || reminders() != 0 {
		t.Fatalf("reminded two days early: %d %v", reminders(), err)
	}
	w.clock.Advance(24*time.Hour + time.Minute)
	for range 2 {
		if err := w.promoter.Sweep(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if reminders() != 1 {
		t.Fatalf("%d reminders a day before expiry, want 1", reminders())
	}
	w.clock.Advance(2 * time.Hour)
	if _, err := approve(w, t, "lead", p.ID); err != nil {
		t.Fatal(err)
	}
	// A sandbox needs nobody: auto-approved.
	if sb := w.promote(t, "dev", "wiki", runway.EnvSandbox); !sb.AutoApproved || sb.State != runway.PromotionStarted {
		t.Fatalf("sandbox: %+v", sb)
	}
	f, err := w.promoter.Friction(context.Background(), w.as(t, "admin"))
	if err != nil {
		t.Fatal(err)
	}
	wait := (6*24*time.Hour + time.Minute + 2*time.Hour).Seconds()
	if f.Requests != 2 || f.AutoApproved != 1 || f.AutoShare != 0.5 || f.Reminders != 1 || f.DecisionP50 != wait {
		t.Fatalf("friction: %+v (want p50 %v s)", f, wait)
	}
}
