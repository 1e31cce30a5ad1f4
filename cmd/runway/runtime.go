package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/jobs"
	"github.com/runwayhq/runway/localrt"
	"github.com/runwayhq/runway/proxy"
	"github.com/runwayhq/runway/release"
	"github.com/runwayhq/runway/rollout"
	"github.com/runwayhq/runway/supervisor"
)

// runtimeParts are the local runtime and the deployments it runs: the
// supervisor, the proxy on its own listener, the deployer and the canary
// watch.
type runtimeParts struct {
	sup      *supervisor.Supervisor
	proxy    *proxy.Proxy
	apps     net.Listener
	appsHTTP *http.Server
	deployer *release.Deployer
	canaries *release.Canaries
	// appsURL is where the apps are reached: APPSURL/apps/APP/ENV/.
	appsURL string
}

// deployStepJob is a deployment step as a durable job.
type deployStepJob runway.DeployStep

// Kind names the job in the queue.
func (deployStepJob) Kind() string { return "deploy.step" }

// openRuntime builds the local runtime and the deployer, registers the
// step jobs and makes the store enqueue them with the changes that make
// them due.
func (s *server) openRuntime(ctx context.Context) error {
	data := s.cfg.Server.Data
	var err error
	if s.sup, err = supervisor.New(supervisor.Options{DataDir: filepath.Join(data, "runtime"), Logger: s.log}); err != nil {
		return err
	}
	s.canaries = &release.Canaries{Errors: func(err error) { s.log.Error("acting on a canary verdict failed", "error", err.Error()) },
		Config: func(t runway.Tier) rollout.Config {
			c := rollout.DefaultConfig(t)
			if d := time.Duration(s.cfg.Canary.MinBake); d > 0 {
				c.MinBake = d
			}
			if n := s.cfg.Canary.MinRequests; n > 0 {
				c.MinRequests = n
			}
			return c
		}}
	if s.proxy, err = proxy.New(proxy.Options{Log: s.log, Observe: s.observe}); err != nil {
		return err
	}
	addr := s.cfg.Server.AppsAddr
	if addr == "" {
		addr = nextPort(s.cfg.Server.Addr)
	}
	if s.apps, err = net.Listen("tcp", addr); err != nil {
		return runway.Errorf(runway.EINVALID, "cannot listen for the apps on %s: %v (pick another address with --apps-addr)", addr, err)
	}
	s.appsURL = "http://" + displayAddr(s.apps.Addr())
	s.appsHTTP = s.proxy.Server("")
	opt := localrt.Options{Supervisor: s.sup, Proxy: s.proxy, Sources: filepath.Join(data, "sources"), OFREPEndpoint: s.url}
	if s.secrets != nil {
		opt.Secrets = s.secrets.Resolve
	}
	base := strings.TrimSuffix(s.url, "/")
	rt := localrt.New(opt)
	s.canaries.Probe = func(ctx context.Context, app string, env runway.Environment, version string) (int, time.Duration) {
		a, err := s.store.FindApp(ctx, app)
		if err != nil {
			return 0, 0
		}
		return rt.Probe(ctx, a, env, version)
	}
	s.deployer = &release.Deployer{Apps: s.store, Candidates: s.store, Deployments: s.store, Runtime: rt,
		Canaries: s.canaries, URL: func(id int64) string { return fmt.Sprintf("%s/deployments/%d", base, id) }}
	s.canaries.Deployer = s.deployer
	if err := jobs.Register(s.queue, func(ctx context.Context, j deployStepJob) error {
		return s.deployer.Step(ctx, runway.DeployStep(j))
	}); err != nil {
		return err
	}
	s.store.SetSteps(func(ctx context.Context, tx *sql.Tx, st runway.DeployStep) error {
		_, err := s.queue.EnqueueTx(ctx, tx, deployStepJob(st), &jobs.EnqueueOptions{RunAt: st.RunAt})
		return err
	})
	return nil
}

// observe hands each request the proxy served to the canary watch.
func (s *server) observe(o proxy.Observation) {
	s.canaries.Observe(o.App, runway.Environment(o.Env), o.Version, rollout.Observation{At: o.At, Status: o.Status, Latency: o.Latency})
}

// runRuntime resumes the deployments a restart interrupted, stops what no
// deployment wants, serves the apps and ticks the canary watch until ctx
// ends.
func (s *server) runRuntime(ctx context.Context) error {
	if err := s.deployer.Resume(ctx); err != nil {
		return fmt.Errorf("resume the deployments: %w", err)
	}
	left, err := s.sup.Reap(ctx)
	if err != nil {
		return fmt.Errorf("stop processes left by a crash: %w", err)
	}
	for _, l := range left {
		s.log.Info("stopped a process no deployment wants", "process", fmt.Sprint(l))
	}
	go func() {
		if err := s.appsHTTP.Serve(s.apps); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("the apps' proxy stopped", "error", err.Error())
		}
	}()
	go func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case now := <-t.C:
				s.canaries.Tick(now)
			}
		}
	}()
	return nil
}

// closeRuntime stops serving the apps and stops their processes.
func (s *server) closeRuntime(ctx context.Context) {
	if s.appsHTTP != nil {
		s.appsHTTP.Shutdown(ctx)
	}
	if s.sup != nil {
		if err := s.sup.StopAll(ctx); err != nil {
			s.log.Warn("apps not stopped cleanly", "error", err.Error())
		}
		s.sup.Close()
	}
	if s.proxy != nil {
		s.proxy.Close()
	}
}

// nextPort is addr with the next port (0 stays 0).
func nextPort(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	n, _ := strconv.Atoi(port)
	if n > 0 {
		n++
	}
	return net.JoinHostPort(host, strconv.Itoa(n))
}
