package release

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/access"
	"github.com/runwayhq/runway/rollout"
)

// DeploymentView is a deployment as people see it on its page and in the
// API: where it stands, the canary's progress, and how to go back.
type DeploymentView struct {
	Deployment *runway.Deployment `json:"deployment"`
	App        *runway.App        `json:"app"`
	// Canary is the canary's progress; nil for a deployment that has no
	// canary (outside production, or the app's first release there).
	Canary *CanaryProgress `json:"canary,omitempty"`
	// InProgress says whether the deployment may still change by itself
	// (pages refresh while it does).
	InProgress bool `json:"in_progress"`
	// CanRollBack says whether the reader may roll it back now: it is in
	// its canary and they may promote the app.
	CanRollBack bool `json:"can_roll_back"`
	// HowBack says in plain words how to go back to the version before.
	HowBack string `json:"how_back"`
	// Traffic is what the proxy measured of the environment's versions
	// since they were routed, when the server runs them.
	Traffic []VersionTraffic `json:"traffic,omitempty"`
}

// CanaryProgress is where a canary is among its steps.
type CanaryProgress struct {
	// Steps are the canary's shares of the traffic, in percent, one step
	// after the other; the last is 100 (the promotion).
	Steps []int `json:"steps"`
	// Step is the current step (0-based) and Weight the canary's share
	// now; Weight is 0 once the traffic went back to the stable version.
	Step   int `json:"step"`
	Weight int `json:"weight"`
}

// VersionTraffic is what the proxy measured of one version.
type VersionTraffic struct {
	Version string  `json:"version"`
	Canary  bool    `json:"canary"`
	Weight  float64 `json:"weight"`
	// Requests counts finished requests; Errors those the version
	// answered with a 5xx or did not answer at all.
	Requests uint64 `json:"requests"`
	Errors   uint64 `json:"errors"`
	// P95Millis is the 95th percentile of latency, in milliseconds.
	P95Millis float64 `json:"p95_ms"`
}

// View returns a deployment for a reader who may see the app's
// candidates (ENOTFOUND, EFORBIDDEN).
func (d *Deployer) View(ctx context.Context, p access.Principal, id int64) (*DeploymentView, error) {
	dep, app, err := d.load(ctx, p, id, access.ReadCandidates)
	if err != nil {
		return nil, err
	}
	v := &DeploymentView{Deployment: dep, App: app, InProgress: !runway.DeploymentDone(dep.State)}
	if dep.Environment == runway.EnvProduction && dep.Stable != "" {
		steps := rollout.DefaultConfig(app.Tier).Steps
		if d.Canaries != nil {
			steps = d.Canaries.config(app.Tier).Steps
		}
		v.Canary = &CanaryProgress{Steps: steps, Step: dep.Step, Weight: dep.Weight}
	}
	v.CanRollBack = dep.State == runway.DeploymentCanary && access.Allowed(p, access.Promote, app.Team)
	if v.HowBack, err = d.howBack(ctx, app, dep); err != nil {
		return nil, err
	}
	return v, nil
}

// Recent lists an app's newest deployments for a reader who may see its
// candidates.
func (d *Deployer) Recent(ctx context.Context, p access.Principal, app string, limit int) ([]*runway.Deployment, error) {
	a, err := d.Apps.FindApp(ctx, app)
	if err != nil {
		return nil, err
	}
	if err := access.Require(p, access.ReadCandidates, a.Team); err != nil {
		return nil, err
	}
	return d.Deployments.FindDeployments(ctx, a.Name, runway.Page{Limit: limit})
}

// load reads a deployment and its app, and checks that p may do a to the
// app's team's things.
func (d *Deployer) load(ctx context.Context, p access.Principal, id int64, a access.Action) (*runway.Deployment, *runway.App, error) {
	if p.User == nil {
		return nil, nil, access.Require(p, a, "")
	}
	dep, err := d.Deployments.FindDeployment(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	app, err := d.Apps.FindApp(ctx, dep.App)
	if err != nil {
		return nil, nil, err
	}
	return dep, app, access.Require(p, a, app.Team)
}

// Rollback rolls back a deployment in its canary by hand: all the traffic
// goes back to the stable version at once, the canary is no longer
// watched, the deployment ends rolled back with "Rolled back by EMAIL:
// reason", an incident is opened in the audit trail and the owners are
// told; then the new version is stopped. Developers and team leads of
// the app's team (and admins) may (EFORBIDDEN). A deployment that is not
// in its canary is refused with ECONFLICT, saying how to go back instead;
// a reason is required (EINVALID).
//
// It follows the steps of the canary's automatic rollback (route, record,
// stop) and keeps the canary's verdicts from being acted on meanwhile.
func (d *Deployer) Rollback(ctx context.Context, p access.Principal, id int64, reason string) (*runway.Deployment, error) {
	dep, app, err := d.load(ctx, p, id, access.Promote)
	if runway.ErrorCode(err) == runway.EFORBIDDEN && !access.Allowed(access.Principal{User: p.User}, access.Promote, app.Team) {
		// Not a token's scope: the person's roles.
		return nil, runway.Errorf(runway.EFORBIDDEN, "you may not roll back %s: developers and team leads of team %s (and admins) may; ask one of them", dep.App, app.Team)
	}
	if err != nil {
		return nil, err
	}
	reason = strings.Join(strings.Fields(reason), " ")
	switch {
	case reason == "":
		return nil, runway.Errorf(runway.EINVALID, "say why you roll it back (--reason): the app's owners and the audit trail read it")
	case len(reason) > 1000:
		return nil, runway.Errorf(runway.EINVALID, "the reason is %d characters long; keep it under 1000 and link to the details", len(reason))
	}
	if dep.State != runway.DeploymentCanary {
		return nil, d.notInCanary(ctx, app, dep)
	}
	if d.Runtime == nil {
		return nil, runway.Errorf(runway.EUNAVAILABLE, "this server runs no apps, so it cannot move their traffic")
	}
	release, err := d.Canaries.claim(ctx, dep)
	if err != nil {
		return nil, err
	}
	defer release()
	// A verdict may have moved it on while the claim waited.
	if dep, err = d.Deployments.FindDeployment(ctx, id); err != nil {
		return nil, err
	}
	if dep.State != runway.DeploymentCanary {
		return nil, d.notInCanary(ctx, app, dep)
	}
	return d.rollBackByHand(runway.WithActor(ctx, p.Actor()), p.Actor(), app, dep, reason)
}

// rollBackByHand is rollback for a person: the same route → record →
// stop, with the person as the actor and the incident's kind "manual
// rollback". A deployment that moved on before the record is not
// stopped.
func (d *Deployer) rollBackByHand(ctx context.Context, actor string, app *runway.App, dep *runway.Deployment, reason string) (*runway.Deployment, error) {
	if err := d.Runtime.Route(ctx, dep.App, dep.Environment, dep.Stable, "", 0); err != nil {
		return nil, err
	}
	why := fmt.Sprintf("Rolled back by %s: %s", who(actor), Sentence(reason))
	out, err := d.Deployments.ChangeDeployment(ctx, dep.ID, func(tx *runway.DeploymentTx) error {
		if err := unchanged(tx.Deployment, dep); err != nil {
			return err
		}
		tx.Deployment.State, tx.Deployment.Weight, tx.Deployment.Reason = runway.DeploymentRolledBack, 0, why
		tx.Events = append(tx.Events,
			runway.Event{Action: "deployment.rollback", Data: map[string]any{"cause": "manual", "reason": why, "weight_before": dep.Weight}},
			runway.Event{Action: "incident.open", Subject: "app:" + dep.App, Data: map[string]any{
				"deployment": dep.ID, "environment": dep.Environment, "kind": "manual rollback", "cause": "manual", "reason": why}})
		n := d.notice(dep, "was rolled back", why, tx)
		n.Actor, n.Team = actor, app.Team
		tx.Notices = append(tx.Notices, n)
		return nil
	})
	if err == errStale {
		return nil, runway.Errorf(runway.ECONFLICT, "deployment %d changed while it was being rolled back: look at it again (runway status %s)", dep.ID, dep.App)
	}
	if err != nil {
		return nil, err
	}
	if d.Canaries != nil {
		d.Canaries.end(dep)
	}
	if err := d.Runtime.Stop(ctx, dep.App, dep.Environment, dep.Version()); err != nil {
		return out, runway.Errorf(runway.EUNAVAILABLE, "the traffic is back on %s and the rollback is recorded, but %s did not stop: %v", dep.Stable, dep.Version(), err)
	}
	return out, nil
}

// claim keeps the canary's verdicts from being acted on while a person
// acts on it: it waits for a verdict being acted on to finish. The
// returned func gives the canary back.
func (c *Canaries) claim(ctx context.Context, dep *runway.Deployment) (func(), error) {
	if c == nil {
		return func() {}, nil
	}
	for {
		c.mu.Lock()
		w := c.active[key(dep.App, dep.Environment)]
		c.mu.Unlock()
		if w == nil {
			return func() {}, nil
		}
		w.mu.Lock()
		if !w.acting {
			w.acting = true
			w.mu.Unlock()
			return func() {
				w.mu.Lock()
				w.acting = false
				w.mu.Unlock()
			}, nil
		}
		w.mu.Unlock()
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// notInCanary refuses a rollback of a deployment that is not in its
// canary, saying what the person can do instead.
func (d *Deployer) notInCanary(ctx context.Context, app *runway.App, dep *runway.Deployment) error {
	what := fmt.Sprintf("deployment %d (%s of %s in %s) is not in its canary: ", dep.ID, dep.Version(), dep.App, dep.Environment)
	switch dep.State {
	case runway.DeploymentQueued, runway.DeploymentBuilding, runway.DeploymentStarting, runway.DeploymentSmoke:
		what += fmt.Sprintf("it is %s and takes no users' traffic yet.", dep.State)
		if dep.Environment == runway.EnvProduction && dep.Stable != "" {
			what += " Once its smoke checks pass it gets a share of the traffic, and you can roll it back then."
		}
		return runway.Errorf(runway.ECONFLICT, "%s", what)
	case runway.DeploymentLive:
		how, err := d.howBack(ctx, app, dep)
		if err != nil {
			return err
		}
		return runway.Errorf(runway.ECONFLICT, "%sit is live, so there is no canary to stop. %s", what, how)
	}
	return runway.Errorf(runway.ECONFLICT, "%sit is over (%s): %s", what, strings.ReplaceAll(dep.State, "_", " "), dep.Reason)
}

// howBack says in plain words how to go back from a deployment to the
// version before it.
func (d *Deployer) howBack(ctx context.Context, app *runway.App, dep *runway.Deployment) (string, error) {
	switch dep.State {
	case runway.DeploymentCanary:
		return fmt.Sprintf("Roll it back now: `runway rollback %s --env %s --reason \"...\"`, or the Roll back button on its page. All the traffic goes back to %s at once.",
			app.Name, dep.Environment, dep.Stable), nil
	case runway.DeploymentLive:
	default:
		return "", nil
	}
	prev, err := d.previous(ctx, app.Name, dep.Stable)
	if err != nil {
		return "", err
	}
	if prev == nil {
		return fmt.Sprintf("It is the first version of %s in %s: there is no earlier one to go back to. To switch a feature off at once, kill its flag: `runway flags kill %s %s KEY --reason \"...\"`.",
			app.Name, dep.Environment, app.Name, dep.Environment), nil
	}
	return previousWords(app.Name, dep.Environment, prev), nil
}

// previousWords says how to put candidate prev back in env. Runway
// promotes only an app's newest candidate (approvals bind to it), so the
// way back is the same source submitted again.
func previousWords(app string, env runway.Environment, prev *runway.Candidate) string {
	return fmt.Sprintf("To go back to %s (candidate #%d, source %s), submit its source again — check out the commit it was made from, run `runway check` and `runway submit` — "+
		"then `runway promote %s --to %s`: the usual approvals apply; add `--break-glass --reason \"...\"` if it cannot wait. "+
		"(Runway promotes only an app's newest candidate, so `--candidate %d` is refused.) To switch a feature off at once, kill its flag: `runway flags kill %s %s KEY --reason \"...\"`.",
		runway.VersionOf(prev.Number), prev.Number, shortDigest(prev.SourceDigest), app, env, prev.Number, app, env)
}

// previous returns the candidate a version names ("c7"), nil for "".
func (d *Deployer) previous(ctx context.Context, app, version string) (*runway.Candidate, error) {
	n, ok := candidateOf(version)
	if !ok {
		return nil, nil
	}
	return d.Candidates.FindCandidate(ctx, app, n)
}

// candidateOf reads the candidate number of a version: "c7" (or "7").
func candidateOf(version string) (int, bool) {
	n, err := strconv.Atoi(strings.TrimPrefix(version, "c"))
	return n, err == nil && n > 0
}

// shortDigest shortens "sha256:abcdef…" for sentences.
func shortDigest(d string) string {
	algo, hex, ok := strings.Cut(d, ":")
	if !ok || len(hex) <= 12 {
		return d
	}
	return algo + ":" + hex[:12]
}

// LogsOf picks the deployment whose log a reader asks for: the app's
// deployment of version in env, or, without a version, the newest one
// running there (a canary before the live version), else the newest.
// Readers are those who may see the app's candidates (EFORBIDDEN);
// ENOTFOUND when there is none.
func (d *Deployer) LogsOf(ctx context.Context, p access.Principal, appName string, env runway.Environment, version string) (*runway.Deployment, error) {
	app, err := d.Apps.FindApp(ctx, appName)
	if err != nil {
		return nil, err
	}
	if err := access.Require(p, access.ReadCandidates, app.Team); err != nil {
		return nil, err
	}
	if !validEnvironment(env) {
		return nil, runway.Errorf(runway.EINVALID, "environment %q: use sandbox, staging or production", env)
	}
	want := 0
	if version != "" {
		n, ok := candidateOf(version)
		if !ok {
			return nil, runway.Errorf(runway.EINVALID, "version %q: name a version as `runway status %s` shows it, such as c3", version, app.Name)
		}
		want = n
	}
	ds, err := d.Deployments.FindDeployments(ctx, app.Name, runway.Page{Limit: 200})
	if err != nil {
		return nil, err
	}
	var newest *runway.Deployment
	for _, dep := range ds {
		switch {
		case dep.Environment != env:
		case want != 0:
			if dep.Candidate == want {
				return dep, nil
			}
		case running(dep.State):
			return dep, nil
		case newest == nil:
			newest = dep
		}
	}
	if newest != nil {
		return newest, nil
	}
	if want != 0 {
		return nil, runway.Errorf(runway.ENOTFOUND, "%s was never deployed to %s: `runway status %s` lists its deployments", runway.VersionOf(want), env, app.Name)
	}
	return nil, runway.Errorf(runway.ENOTFOUND, "%s has no deployment in %s: `runway status %s` lists where it runs", app.Name, env, app.Name)
}

// running reports whether a deployment's version has processes.
func running(state string) bool {
	switch state {
	case runway.DeploymentStarting, runway.DeploymentSmoke, runway.DeploymentCanary, runway.DeploymentLive:
		return true
	}
	return false
}

func validEnvironment(env runway.Environment) bool {
	for _, e := range runway.Environments {
		if e == env {
			return true
		}
	}
	return false
}
