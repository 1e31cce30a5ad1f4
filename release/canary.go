package release

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/rollout"
)

// Canaries watch the production canaries this process routes: the proxy
// hands every request to Observe, a ticker calls Tick, and each verdict of
// the analysis (package rollout) is acted on at once — a rollback sends
// the traffic back to the stable version from the request that decided
// it, before anything is written.
type Canaries struct {
	Deployer *Deployer
	// Config gives the analysis settings for a tier (rollout.DefaultConfig
	// when nil).
	Config func(runway.Tier) rollout.Config
	// Errors receives what went wrong acting on a verdict (logged by the
	// caller); nil drops them.
	Errors func(error)
	// Probe, when set, is the platform's own request to a version (its
	// health path, straight at its process): Tick probes the canary and
	// its stable version, a stream apart from users' requests.
	Probe func(ctx context.Context, app string, env runway.Environment, version string) (status int, latency time.Duration)

	mu     sync.Mutex
	active map[string]*canary // by app and environment
}

// canary is one watched rollout.
type canary struct {
	mu       sync.Mutex
	dep      *runway.Deployment
	analysis *rollout.Analysis
	acting   bool   // a verdict is being acted on
	held     string // the cause of the last hold told, so it is told once
}

func key(app string, env runway.Environment) string { return app + "\x00" + string(env) }

func (c *Canaries) config(t runway.Tier) rollout.Config {
	if c.Config != nil {
		return c.Config(t)
	}
	return rollout.DefaultConfig(t)
}

// Begin starts watching a deployment at its current step (a fresh
// analysis: after a restart the evidence starts again).
func (c *Canaries) Begin(dep *runway.Deployment, tier runway.Tier) error {
	cfg := c.config(tier)
	cfg.Steps = cfg.Steps[dep.Step:]
	a, err := rollout.New(cfg, time.Now())
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.active == nil {
		c.active = map[string]*canary{}
	}
	c.active[key(dep.App, dep.Environment)] = &canary{dep: dep, analysis: a}
	return nil
}

// Watching reports whether a canary of app in env is being watched.
func (c *Canaries) Watching(app string, env runway.Environment) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.active[key(app, env)] != nil
}

// Observe takes one request of app in env served by version; requests to
// neither the canary nor its stable version are ignored.
func (c *Canaries) Observe(app string, env runway.Environment, version string, o rollout.Observation) {
	c.mu.Lock()
	w := c.active[key(app, env)]
	c.mu.Unlock()
	if w == nil {
		return
	}
	w.mu.Lock()
	switch version {
	case w.dep.Version():
		o.Version = rollout.Canary
	case w.dep.Stable:
		o.Version = rollout.Stable
	default:
		w.mu.Unlock()
		return
	}
	w.analysis.Observe(o)
	v := w.analysis.Decide(o.At)
	c.act(w, v)
}

// Tick asks every watched analysis for a verdict at now: the bake time
// passes, data goes missing.
func (c *Canaries) Tick(now time.Time) {
	c.mu.Lock()
	ws := make([]*canary, 0, len(c.active))
	for _, w := range c.active {
		ws = append(ws, w)
	}
	c.mu.Unlock()
	for _, w := range ws {
		if c.Probe != nil {
			c.probe(w, now)
		}
		w.mu.Lock()
		c.act(w, w.analysis.Decide(now))
	}
}

// probe sends one synthetic request to the canary and one to its stable
// version and hands them to the analysis as probes.
func (c *Canaries) probe(w *canary, now time.Time) {
	w.mu.Lock()
	dep := w.dep
	w.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, v := range []struct {
		version string
		which   rollout.Version
	}{{dep.Version(), rollout.Canary}, {dep.Stable, rollout.Stable}} {
		status, latency := c.Probe(ctx, dep.App, dep.Environment, v.version)
		w.mu.Lock()
		w.analysis.Observe(rollout.Observation{At: now, Version: v.which, Status: status, Latency: latency, Synthetic: true})
		w.mu.Unlock()
	}
}

// act acts on a verdict; w.mu is held and act releases it. Only one
// verdict is acted on at a time per canary; the others wait for the next
// request or tick.
func (c *Canaries) act(w *canary, v rollout.Verdict) {
	if w.acting || v.Action == rollout.Continue {
		w.mu.Unlock()
		return
	}
	if v.Action == rollout.Hold {
		told := w.held == string(v.Cause)
		w.held = string(v.Cause)
		w.mu.Unlock()
		if !told {
			c.report(c.Deployer.hold(context.Background(), w.dep, v))
		}
		return
	}
	w.acting = true
	dep := w.dep
	w.mu.Unlock()
	ctx := runway.WithActor(context.Background(), "runway")
	var err error
	switch v.Action {
	case rollout.Rollback:
		// From the deciding request's goroutine: the traffic is back on
		// stable before this returns.
		err = c.Deployer.rollback(ctx, dep, v)
		c.end(dep)
	case rollout.Promote:
		err = c.Deployer.goLive(ctx, dep, joinReasons(v.Reasons))
		c.end(dep)
	case rollout.Advance:
		err = c.Deployer.advance(ctx, dep, v)
		if fresh, ferr := c.Deployer.Deployments.FindDeployment(ctx, dep.ID); ferr == nil {
			w.mu.Lock()
			w.dep = fresh
			w.mu.Unlock()
		}
	}
	w.mu.Lock()
	w.acting = false
	w.mu.Unlock()
	c.report(err)
}

// end stops watching a finished canary.
func (c *Canaries) end(dep *runway.Deployment) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if w := c.active[key(dep.App, dep.Environment)]; w != nil && w.dep.ID == dep.ID {
		delete(c.active, key(dep.App, dep.Environment))
	}
}

func (c *Canaries) report(err error) {
	if err != nil && c.Errors != nil && !errors.Is(err, context.Canceled) {
		c.Errors(err)
	}
}

// hold records a held canary and tells its owners, once per cause.
func (d *Deployer) hold(ctx context.Context, dep *runway.Deployment, v rollout.Verdict) error {
	ctx = runway.WithActor(ctx, "runway")
	_, err := d.Deployments.ChangeDeployment(ctx, dep.ID, func(tx *runway.DeploymentTx) error {
		if tx.Deployment.State != runway.DeploymentCanary {
			return errStale
		}
		tx.Deployment.Reason = v.Alert
		tx.Events = append(tx.Events, runway.Event{Action: "deployment.hold", Data: map[string]any{"cause": v.Cause, "alert": v.Alert, "evidence": v.Evidence}})
		tx.Notices = append(tx.Notices, d.notice(dep, "is on hold", v.Alert, tx))
		return nil
	})
	return ignoreStale(err)
}
