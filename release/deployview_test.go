package release_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/release"
)

// recordingRuntime is a test double of the runtime: it runs nothing and
// records what the deployer asked of it, in order.
type recordingRuntime struct {
	mu    sync.Mutex
	calls []string
}

func (r *recordingRuntime) record(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, fmt.Sprintf(format, args...))
}

func (r *recordingRuntime) Build(ctx context.Context, app *runway.App, d *runway.Deployment, source []byte) (string, error) {
	r.record("build %s", d.Version())
	return "sha256:artifact", nil
}

func (r *recordingRuntime) Start(ctx context.Context, app *runway.App, d *runway.Deployment) error {
	r.record("start %s", d.Version())
	return nil
}

func (r *recordingRuntime) Smoke(ctx context.Context, app *runway.App, d *runway.Deployment) error {
	r.record("smoke %s", d.Version())
	return nil
}

func (r *recordingRuntime) Route(ctx context.Context, app string, env runway.Environment, stable, canary string, weight int) error {
	r.record("route %s %s stable=%s canary=%s weight=%d", app, env, stable, canary, weight)
	return nil
}

func (r *recordingRuntime) Stop(ctx context.Context, app string, env runway.Environment, version string) error {
	r.record("stop %s %s %s", app, env, version)
	return nil
}

// production gives app "wiki" of team web two production deployments:
// c1 live, and c2 in its canary at 20% (set in the store, as the deployer
// leaves them). It returns their IDs.
func production(t *testing.T, w *world) (live, canary int64) {
	t.Helper()
	var ids []int64
	for n := 1; n <= 2; n++ {
		w.submitApp(t, "dev", "wiki", "web", n)
		p := w.promote(t, "dev", "wiki", runway.EnvProduction)
		p, err := approve(w, t, "lead", p.ID)
		if err != nil || p.Deployment == 0 {
			t.Fatalf("approve: %+v %v", p, err)
		}
		ids = append(ids, p.Deployment)
	}
	change(t, w, ids[0], func(tx *runway.DeploymentTx) {
		tx.Deployment.State, tx.Deployment.Weight, tx.Deployment.Artifact = runway.DeploymentLive, 100, "sha256:"+strings.Repeat("a1", 32)
	})
	change(t, w, ids[1], func(tx *runway.DeploymentTx) {
		d := tx.Deployment
		d.State, d.Stable, d.Step, d.Weight, d.Artifact = runway.DeploymentCanary, "c1", 0, 20, "sha256:"+strings.Repeat("b2", 32)
		d.Reason = "The new version gets 20% of the traffic while it is watched."
	})
	return ids[0], ids[1]
}

// change changes a deployment in the store as the deployer would.
func change(t *testing.T, w *world, id int64, f func(tx *runway.DeploymentTx)) {
	t.Helper()
	if _, err := w.store.ChangeDeployment(runway.WithActor(context.Background(), "runway"), id, func(tx *runway.DeploymentTx) error {
		f(tx)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

func deployer(w *world, rt runway.Runtime) *release.Deployer {
	d := &release.Deployer{Apps: w.store, Candidates: w.store, Deployments: w.store, Runtime: rt,
		URL: func(id int64) string { return fmt.Sprintf("http://runway.test/deployments/%d", id) }}
	d.Canaries = &release.Canaries{Deployer: d}
	return d
}

// TestManualRollback: a developer of the app's team rolls back a canary
// with a reason: the traffic goes back to the stable version before
// anything is written, the canary is no longer watched, the deployment
// says who and why, an incident is opened, the owners are told, and the
// new version is stopped last.
func TestManualRollback(t *testing.T) {
	w := newWorld(t, "")
	live, canary := production(t, w)
	rt := &recordingRuntime{}
	d := deployer(w, rt)
	dep, err := w.store.FindDeployment(context.Background(), canary)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Canaries.Begin(dep, 2); err != nil {
		t.Fatal(err)
	}
	before := len(w.notices.all())

	got, err := d.Rollback(context.Background(), w.as(t, "dev"), canary, "  the totals\n look wrong ")
	if err != nil {
		t.Fatal(err)
	}
	if got.State != runway.DeploymentRolledBack || got.Weight != 0 || got.Reason != "Rolled back by dev@example.com: The totals look wrong." {
		t.Fatalf("after the rollback: %+v", got)
	}
	want := []string{"route wiki production stable=c1 canary= weight=0", "stop wiki production c2"}
	if !slices.Equal(rt.calls, want) {
		t.Fatalf("runtime calls %q, want %q", rt.calls, want)
	}
	if d.Canaries.Watching("wiki", runway.EnvProduction) {
		t.Error("the canary is still watched after its rollback")
	}
	if l, _ := w.store.FindDeployment(context.Background(), live); l.State != runway.DeploymentLive {
		t.Errorf("the stable deployment is %s, want live", l.State)
	}
	ns := w.notices.all()[before:]
	if len(ns) != 1 || ns[0].Title != "wiki #2 in production was rolled back" || ns[0].Actor != "user:dev@example.com" ||
		ns[0].URL != fmt.Sprintf("http://runway.test/deployments/%d", canary) || ns[0].Team != "web" || !slices.Equal(ns[0].To, []string{"user:lead@example.com"}) {
		t.Errorf("notices: %+v", ns)
	}
	es, err := w.store.AuditEntries(context.Background(), runway.AuditFilter{Subject: "app:wiki", Page: runway.Page{Limit: 1000}})
	if err != nil {
		t.Fatal(err)
	}
	last := es[len(es)-1]
	var data map[string]any
	json.Unmarshal(last.Data, &data)
	if last.Action != "incident.open" || last.Actor != "user:dev@example.com" || data["kind"] != "manual rollback" {
		t.Errorf("last audit entry about the app: %s by %s: %s", last.Action, last.Actor, last.Data)
	}

	// Once is enough: a second rollback is refused, saying it is over.
	_, err = d.Rollback(context.Background(), w.as(t, "lead"), canary, "again")
	if runway.ErrorCode(err) != runway.ECONFLICT || !strings.Contains(err.Error(), "it is over (rolled back): Rolled back by dev@example.com") {
		t.Fatalf("a second rollback: %v", err)
	}
	if len(rt.calls) != 2 {
		t.Errorf("a refused rollback touched the runtime: %q", rt.calls)
	}
}

// TestRollbackRefusals: who may not roll back, and what cannot be rolled
// back, each said in plain words; nothing touches the runtime.
func TestRollbackRefusals(t *testing.T) {
	w := newWorld(t, "")
	live, canary := production(t, w)
	rt := &recordingRuntime{}
	d := deployer(w, rt)
	queued := w.promote(t, "dev", "wiki", runway.EnvSandbox).Deployment
	for _, tt := range []struct {
		name, who string
		id        int64
		reason    string
		code      string
		says      []string
	}{
		{"a team lead of another team", "datalead", canary, "bad", runway.EFORBIDDEN, []string{"you may not roll back wiki: developers and team leads of team web (and admins) may"}},
		{"security", "security", canary, "bad", runway.EFORBIDDEN, []string{"you may not roll back wiki"}},
		{"platform", "platform", canary, "bad", runway.EFORBIDDEN, []string{"you may not roll back wiki"}},
		{"no reason", "dev", canary, "  ", runway.EINVALID, []string{"say why you roll it back (--reason)"}},
		{"a live deployment", "lead", live, "bad", runway.ECONFLICT, []string{
			"c1 of wiki in production) is not in its canary: it is live, so there is no canary to stop.",
			"It is the first version of wiki in production: there is no earlier one to go back to.",
			"runway flags kill wiki production KEY"}},
		{"a queued deployment", "admin", queued, "bad", runway.ECONFLICT, []string{"(c2 of wiki in sandbox) is not in its canary: it is queued and takes no users' traffic yet."}},
		{"no such deployment", "admin", 999, "bad", runway.ENOTFOUND, []string{"there is no deployment 999"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := d.Rollback(context.Background(), w.as(t, tt.who), tt.id, tt.reason)
			if runway.ErrorCode(err) != tt.code {
				t.Fatalf("error %v, want %s", err, tt.code)
			}
			for _, s := range tt.says {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("the error does not say %q:\n%v", s, err)
				}
			}
		})
	}
	if len(rt.calls) != 0 {
		t.Errorf("refused rollbacks touched the runtime: %q", rt.calls)
	}
	if dep, _ := w.store.FindDeployment(context.Background(), canary); dep.State != runway.DeploymentCanary {
		t.Errorf("the canary is %s after refusals", dep.State)
	}
}

// TestDeploymentView: the canary's progress, who may roll it back, and
// how to go back from a live version to the one it replaced.
func TestDeploymentView(t *testing.T) {
	w := newWorld(t, "")
	live, canary := production(t, w)
	d := deployer(w, &recordingRuntime{})
	v, err := d.View(context.Background(), w.as(t, "security"), canary)
	if err != nil {
		t.Fatal(err)
	}
	if v.Canary == nil || !slices.Equal(v.Canary.Steps, []int{20, 50, 100}) || v.Canary.Weight != 20 || !v.InProgress || v.CanRollBack {
		t.Errorf("security's view of the canary: %+v %+v", v, v.Canary)
	}
	if v, err = d.View(context.Background(), w.as(t, "dev"), canary); err != nil || !v.CanRollBack || !strings.Contains(v.HowBack, "runway rollback wiki --env production") {
		t.Errorf("the developer's view: %+v %v", v, err)
	}
	if _, err := d.View(context.Background(), w.as(t, "datalead"), live); runway.ErrorCode(err) != runway.EFORBIDDEN {
		t.Errorf("another team's lead sees the deployment: %v", err)
	}

	// Once c2 is live, going back to c1 means submitting c1's source again.
	change(t, w, canary, func(tx *runway.DeploymentTx) {
		tx.Deployment.State, tx.Deployment.Weight = runway.DeploymentLive, 100
		tx.Live.State = runway.DeploymentReplaced
	})
	v, err = d.View(context.Background(), w.as(t, "dev"), canary)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"To go back to c1 (candidate #1, source sha256:", "runway promote wiki --to production", "`--candidate 1` is refused"} {
		if !strings.Contains(v.HowBack, s) {
			t.Errorf("how back lacks %q:\n%s", s, v.HowBack)
		}
	}
	if v.CanRollBack || v.InProgress {
		t.Errorf("a live deployment: %+v", v)
	}
}

// TestLogsOf: which deployment's log a reader gets.
func TestLogsOf(t *testing.T) {
	w := newWorld(t, "")
	_, canary := production(t, w)
	d := deployer(w, &recordingRuntime{})
	for _, tt := range []struct {
		name, who, version string
		env                runway.Environment
		want               int64 // 0: refused
		code, says         string
	}{
		{"the canary before the live version", "dev", "", runway.EnvProduction, canary, "", ""},
		{"a version by name", "security", "c1", runway.EnvProduction, canary - 1, "", ""},
		{"a version by number", "dev", "2", runway.EnvProduction, canary, "", ""},
		{"never deployed there", "dev", "c2", runway.EnvStaging, 0, runway.ENOTFOUND, "c2 was never deployed to staging"},
		{"nothing there", "dev", "", runway.EnvSandbox, 0, runway.ENOTFOUND, "wiki has no deployment in sandbox"},
		{"a bad version", "dev", "latest", runway.EnvProduction, 0, runway.EINVALID, `version "latest"`},
		{"a bad environment", "dev", "", "prod", 0, runway.EINVALID, `environment "prod"`},
		{"another team", "datalead", "", runway.EnvProduction, 0, runway.EFORBIDDEN, "see candidates for team web"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dep, err := d.LogsOf(context.Background(), w.as(t, tt.who), "wiki", tt.env, tt.version)
			if tt.want != 0 {
				if err != nil || dep.ID != tt.want {
					t.Fatalf("got %+v %v, want deployment %d", dep, err, tt.want)
				}
				return
			}
			if runway.ErrorCode(err) != tt.code || !strings.Contains(err.Error(), tt.says) {
				t.Fatalf("error %v, want %s saying %q", err, tt.code, tt.says)
			}
		})
	}
}

// TestRunbookFromStore: the runbook of a rolled-back canary, read from
// the store, names the incident the rollback opened.
func TestRunbookFromStore(t *testing.T) {
	w := newWorld(t, "")
	_, canary := production(t, w)
	d := deployer(w, &recordingRuntime{})
	if _, err := d.Rollback(context.Background(), w.as(t, "lead"), canary, "Checkout answers 500"); err != nil {
		t.Fatal(err)
	}
	r := &release.Runbooks{Deployer: d, Flags: w.store, Audit: w.store, People: w.store, Promotions: w.store}
	md, err := r.Runbook(context.Background(), w.as(t, "dev"), canary)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{
		"# Runbook: wiki in production", "**rolled back**", "Rolled back by lead@example.com: Checkout answers 500.",
		"team leads: lead2@example.com and lead@example.com", "approved by lead@example.com",
		"production, deployment 2: manual rollback: Rolled back by lead@example.com", "Replaces: c1 (candidate #1",
	} {
		if !strings.Contains(md, s) {
			t.Errorf("the runbook lacks %q:\n%s", s, md)
		}
	}
	if _, err := r.Runbook(context.Background(), w.as(t, "datalead"), canary); runway.ErrorCode(err) != runway.EFORBIDDEN {
		t.Errorf("another team's lead reads the runbook: %v", err)
	}
}
