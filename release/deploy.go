package release

import (
	"context"
	"fmt"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/rollout"
)

// Deployer moves deployments through their states: queued → building →
// starting → smoke → (canary, in production) → live, or failed, or rolled
// back. Each state's work is one durable step job (runway.DeployStep): the
// job does the state's side effects through the Runtime, whose methods
// are idempotent, then records the next state and enqueues the next job in
// one transaction. A job whose Seq is stale does nothing, so a job run
// twice (after a crash, a retry) changes nothing twice; a crash between the
// side effect and the record repeats the side effect, which the runtime
// finds already done.
type Deployer struct {
	Apps        runway.AppStore
	Candidates  runway.CandidateStore
	Deployments runway.DeploymentStore
	Runtime     runway.Runtime
	// Canaries watch production canaries; nil sends production straight
	// to live after the smoke checks.
	Canaries *Canaries
	// URL makes the web address of a deployment for notices.
	URL func(id int64) string
}

// Step runs the work of the state a deployment was in at s.Seq. An error
// retries the job with backoff; failures of the app itself (a build that
// fails, a version that does not start) end the deployment as failed, with
// the reason, and are not errors.
func (d *Deployer) Step(ctx context.Context, s runway.DeployStep) error {
	ctx = runway.WithActor(ctx, "runway")
	dep, err := d.Deployments.FindDeployment(ctx, s.Deployment)
	if err != nil {
		return err
	}
	if dep.Seq != s.Seq || runway.DeploymentDone(dep.State) {
		return nil // done already, by this job's earlier run or another
	}
	app, err := d.Apps.FindApp(ctx, dep.App)
	if err != nil {
		return err
	}
	switch dep.State {
	case runway.DeploymentQueued:
		return d.move(ctx, dep, runway.DeploymentBuilding, "", func(tx *runway.DeploymentTx) {
			if tx.Live != nil {
				tx.Deployment.Stable = tx.Live.Version()
			}
		})
	case runway.DeploymentBuilding:
		return d.build(ctx, app, dep)
	case runway.DeploymentStarting:
		if err := d.Runtime.Start(ctx, app, dep); err != nil {
			return d.fail(ctx, app, dep, "The new version did not start: "+runway.ErrorMessage(err))
		}
		return d.move(ctx, dep, runway.DeploymentSmoke, "", nil)
	case runway.DeploymentSmoke:
		// Start is idempotent: after a restart it adopts the version the
		// crash left running.
		if err := d.Runtime.Start(ctx, app, dep); err != nil {
			return d.fail(ctx, app, dep, "The new version did not start: "+runway.ErrorMessage(err))
		}
		if err := d.Runtime.Smoke(ctx, app, dep); err != nil {
			return d.fail(ctx, app, dep, "The smoke checks failed: "+runway.ErrorMessage(err))
		}
		if dep.Environment == runway.EnvProduction && dep.Stable != "" && d.Canaries != nil {
			return d.startCanary(ctx, app, dep)
		}
		return d.goLive(ctx, dep, "The new version passed its smoke checks and now takes all the traffic.")
	case runway.DeploymentCanary:
		// Resumed after a restart: adopt the canary, put the traffic back
		// where it was and watch again.
		if err := d.Runtime.Start(ctx, app, dep); err != nil {
			return err
		}
		if err := d.Runtime.Route(ctx, dep.App, dep.Environment, dep.Stable, dep.Version(), dep.Weight); err != nil {
			return err
		}
		return d.Canaries.Begin(dep, app.Tier)
	}
	return nil
}

func (d *Deployer) build(ctx context.Context, app *runway.App, dep *runway.Deployment) error {
	c, err := d.Candidates.FindCandidate(ctx, dep.App, dep.Candidate)
	if err != nil {
		return err
	}
	if !c.HasSource {
		return d.fail(ctx, app, dep, fmt.Sprintf("The platform holds no source for candidate #%d: it was submitted by an older runway. Run `runway check` and `runway submit` again, then promote the new candidate.", c.Number))
	}
	src, err := d.Candidates.FindSource(ctx, c.SourceDigest)
	if err != nil {
		return err
	}
	artifact, err := d.Runtime.Build(ctx, app, dep, src)
	if runway.ErrorCode(err) == runway.EINTERNAL {
		return fmt.Errorf("build %s of %s: %w", dep.Version(), dep.App, err) // not the app's fault: retry
	}
	if err != nil {
		return d.fail(ctx, app, dep, "The build failed: "+runway.ErrorMessage(err))
	}
	return d.move(ctx, dep, runway.DeploymentStarting, "", func(tx *runway.DeploymentTx) { tx.Deployment.Artifact = artifact })
}

// startCanary sends the first step's share of the traffic to the new
// version and starts watching it.
func (d *Deployer) startCanary(ctx context.Context, app *runway.App, dep *runway.Deployment) error {
	cfg := d.Canaries.config(app.Tier)
	weight := cfg.Steps[0]
	if err := d.Runtime.Route(ctx, dep.App, dep.Environment, dep.Stable, dep.Version(), weight); err != nil {
		return err
	}
	next, err := d.Deployments.ChangeDeployment(ctx, dep.ID, func(tx *runway.DeploymentTx) error {
		if err := unchanged(tx.Deployment, dep); err != nil {
			return err
		}
		tx.Deployment.State, tx.Deployment.Step, tx.Deployment.Weight = runway.DeploymentCanary, 0, weight
		tx.Deployment.Reason = fmt.Sprintf("The new version gets %d%% of the traffic while it is watched.", weight)
		tx.Events = append(tx.Events, runway.Event{Action: "deployment.canary", Data: map[string]any{"step": 0, "weight": weight}})
		return nil
	})
	if err != nil {
		return ignoreStale(err)
	}
	return d.Canaries.Begin(next, app.Tier)
}

// advance gives the canary the share of the traffic of a later step.
func (d *Deployer) advance(ctx context.Context, dep *runway.Deployment, v rollout.Verdict) error {
	if err := d.Runtime.Route(ctx, dep.App, dep.Environment, dep.Stable, dep.Version(), v.Weight); err != nil {
		return err
	}
	_, err := d.Deployments.ChangeDeployment(ctx, dep.ID, func(tx *runway.DeploymentTx) error {
		if err := unchanged(tx.Deployment, dep); err != nil {
			return err
		}
		tx.Deployment.Step, tx.Deployment.Weight = v.Step, v.Weight
		tx.Deployment.Reason = joinReasons(v.Reasons)
		tx.Events = append(tx.Events, runway.Event{Action: "deployment.advance", Data: map[string]any{"step": v.Step, "weight": v.Weight, "evidence": v.Evidence}})
		return nil
	})
	return ignoreStale(err)
}

// goLive gives the new version all the traffic, stops the version it
// replaces and records it live.
func (d *Deployer) goLive(ctx context.Context, dep *runway.Deployment, why string) error {
	if err := d.Runtime.Route(ctx, dep.App, dep.Environment, "", dep.Version(), 100); err != nil {
		return err
	}
	if dep.Stable != "" && dep.Stable != dep.Version() {
		if err := d.Runtime.Stop(ctx, dep.App, dep.Environment, dep.Stable); err != nil {
			return err
		}
	}
	_, err := d.Deployments.ChangeDeployment(ctx, dep.ID, func(tx *runway.DeploymentTx) error {
		if err := unchanged(tx.Deployment, dep); err != nil {
			return err
		}
		tx.Deployment.State, tx.Deployment.Weight, tx.Deployment.Reason = runway.DeploymentLive, 100, why
		if tx.Live != nil {
			tx.Live.State, tx.Live.Weight = runway.DeploymentReplaced, 0
			tx.Live.Reason = fmt.Sprintf("Replaced by candidate #%d.", dep.Candidate)
		}
		tx.Events = append(tx.Events, runway.Event{Action: "deployment.live", Data: map[string]any{"version": dep.Version(), "replaces": dep.Stable}})
		tx.Notices = append(tx.Notices, d.notice(dep, "is live", why, tx))
		return nil
	})
	return ignoreStale(err)
}

// rollback sends all the traffic back to the stable version at once,
// then records why and stops the new version. It is an incident.
func (d *Deployer) rollback(ctx context.Context, dep *runway.Deployment, v rollout.Verdict) error {
	if err := d.Runtime.Route(ctx, dep.App, dep.Environment, dep.Stable, "", 0); err != nil {
		return err
	}
	why := joinReasons(v.Reasons)
	_, err := d.Deployments.ChangeDeployment(ctx, dep.ID, func(tx *runway.DeploymentTx) error {
		if err := unchanged(tx.Deployment, dep); err != nil {
			return err
		}
		tx.Deployment.State, tx.Deployment.Weight, tx.Deployment.Reason = runway.DeploymentRolledBack, 0, why
		tx.Events = append(tx.Events,
			runway.Event{Action: "deployment.rollback", Data: map[string]any{"cause": v.Cause, "reason": why, "evidence": v.Evidence}},
			runway.Event{Action: "incident.open", Subject: "app:" + dep.App, Data: map[string]any{
				"deployment": dep.ID, "environment": dep.Environment, "kind": "automatic rollback", "cause": v.Cause, "reason": why}})
		tx.Notices = append(tx.Notices, d.notice(dep, "was rolled back", why, tx))
		return nil
	})
	if err == errStale {
		return nil // it moved on meanwhile (live, or rolled back by a person): leave its processes alone
	}
	if err != nil {
		return err
	}
	return d.Runtime.Stop(ctx, dep.App, dep.Environment, dep.Version())
}

// fail ends a deployment that cannot go on, stopping what it started.
func (d *Deployer) fail(ctx context.Context, app *runway.App, dep *runway.Deployment, why string) error {
	if dep.Stable != "" {
		if err := d.Runtime.Route(ctx, dep.App, dep.Environment, dep.Stable, "", 0); err != nil {
			return err
		}
	}
	if err := d.Runtime.Stop(ctx, dep.App, dep.Environment, dep.Version()); err != nil {
		return err
	}
	_, err := d.Deployments.ChangeDeployment(ctx, dep.ID, func(tx *runway.DeploymentTx) error {
		if err := unchanged(tx.Deployment, dep); err != nil {
			return err
		}
		tx.Deployment.State, tx.Deployment.Weight, tx.Deployment.Reason = runway.DeploymentFailed, 0, why
		tx.Events = append(tx.Events, runway.Event{Action: "deployment.fail", Data: map[string]any{"reason": why}})
		tx.Notices = append(tx.Notices, d.notice(dep, "failed", why, tx))
		return nil
	})
	return ignoreStale(err)
}

// move records the next state and enqueues its step.
func (d *Deployer) move(ctx context.Context, dep *runway.Deployment, state, reason string, more func(tx *runway.DeploymentTx)) error {
	_, err := d.Deployments.ChangeDeployment(ctx, dep.ID, func(tx *runway.DeploymentTx) error {
		if err := unchanged(tx.Deployment, dep); err != nil {
			return err
		}
		tx.Deployment.State, tx.Deployment.Reason = state, reason
		if more != nil {
			more(tx)
		}
		tx.Events = append(tx.Events, runway.Event{Action: "deployment." + state, Data: map[string]any{"artifact": tx.Deployment.Artifact, "stable": tx.Deployment.Stable}})
		tx.Next = &runway.DeployStep{}
		return nil
	})
	return ignoreStale(err)
}

// errStale says a deployment moved on since it was read.
var errStale = runway.Errorf(runway.ECONFLICT, "the deployment moved on meanwhile")

// unchanged refuses a change to a deployment that moved on since read.
func unchanged(now, read *runway.Deployment) error {
	if now.Seq != read.Seq || now.State != read.State {
		return errStale
	}
	return nil
}

// ignoreStale drops the refusal of a change that another run made
// already.
func ignoreStale(err error) error {
	if err == errStale {
		return nil
	}
	return err
}

func (d *Deployer) notice(dep *runway.Deployment, what, why string, tx *runway.DeploymentTx) runway.Notice {
	n := runway.Notice{Kind: runway.NoticeDeployment, App: dep.App, Environment: dep.Environment, Candidate: dep.Candidate, At: tx.Now, Actor: "runway",
		Title: fmt.Sprintf("%s #%d in %s %s", dep.App, dep.Candidate, dep.Environment, what), Text: []string{why}, To: []string{dep.StartedBy}}
	if d.URL != nil {
		n.URL = d.URL(dep.ID)
	}
	return n
}

func joinReasons(rs []string) string {
	out := ""
	for i, r := range rs {
		if i > 0 {
			out += " "
		}
		out += r
	}
	return out
}

// Resume picks up after a restart: live versions are started again (or
// adopted, when their processes outlived the server) and routed, and every
// unfinished deployment gets a step job for the state it is in (a job
// left running by the crash finds its Seq taken and does nothing).
func (d *Deployer) Resume(ctx context.Context) error {
	ctx = runway.WithActor(ctx, "runway")
	active, err := d.Deployments.ActiveDeployments(ctx)
	if err != nil {
		return err
	}
	canary := map[string]bool{}
	for _, dep := range active {
		if dep.State == runway.DeploymentCanary {
			canary[key(dep.App, dep.Environment)] = true
		}
	}
	for _, dep := range active {
		if dep.State != runway.DeploymentLive {
			continue
		}
		app, err := d.Apps.FindApp(ctx, dep.App)
		if err != nil {
			return err
		}
		if err := d.Runtime.Start(ctx, app, dep); err != nil {
			return fmt.Errorf("resume %s in %s: %w", dep.Version(), dep.Environment, err)
		}
		if !canary[key(dep.App, dep.Environment)] {
			if err := d.Runtime.Route(ctx, dep.App, dep.Environment, "", dep.Version(), 100); err != nil {
				return err
			}
		}
	}
	for _, dep := range active {
		if dep.State == runway.DeploymentLive {
			continue
		}
		// A version that was starting or running when the server died is
		// adopted now, before the caller reaps what nobody claims; the
		// step job then finds it running. Errors are the step's to report.
		if dep.State == runway.DeploymentStarting || dep.State == runway.DeploymentSmoke || dep.State == runway.DeploymentCanary {
			if app, err := d.Apps.FindApp(ctx, dep.App); err == nil {
				d.Runtime.Start(ctx, app, dep)
			}
		}
		if _, err := d.Deployments.ChangeDeployment(ctx, dep.ID, func(tx *runway.DeploymentTx) error {
			tx.Next = &runway.DeployStep{}
			return nil
		}); err != nil {
			return err
		}
	}
	return nil
}
