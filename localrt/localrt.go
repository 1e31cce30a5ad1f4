// Package localrt is the local runtime: it implements runway.Runtime on
// one machine with the supervisor (builds and processes) and the proxy
// (routing and the canary split). A version is named by its candidate
// ("c7"); every method is idempotent, so the deployer may call it again
// after a crash: a build is reused, a running process adopted, a route
// set to what it already is.
//
// localrt imports the root package, sourcepack, supervisor and proxy: it
// is the adapter that composes the two halves of the local runtime.
package localrt

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/proxy"
	"github.com/runwayhq/runway/sourcepack"
	"github.com/runwayhq/runway/supervisor"
)

// Options configure a Runtime.
type Options struct {
	Supervisor *supervisor.Supervisor
	Proxy      *proxy.Proxy
	// Sources is where source archives are unpacked before a build.
	Sources string
	// Secrets resolves the secret NAMEs an app's manifest declares for an
	// environment; nil gives apps no secrets.
	Secrets func(ctx context.Context, app string, env runway.Environment, names []string) (map[string]string, error)
	// OFREPEndpoint is the feature flag endpoint apps are given.
	OFREPEndpoint string
	// Limits are every process's resource caps (DefaultLimits when zero).
	Limits supervisor.Limits
	// BuildTimeout bounds a build (10 minutes when zero).
	BuildTimeout time.Duration
	// HTTP checks health and smoke paths (a client with a 10 s timeout
	// when nil).
	HTTP *http.Client
}

// DefaultLimits suit a micro app: 512 MiB, half a CPU where it can be
// enforced, 512 open files, 128 processes.
var DefaultLimits = supervisor.Limits{MemoryBytes: 512 << 20, CPUMillis: 500, OpenFiles: 512, Processes: 128}

// Runtime is the local runtime.
type Runtime struct {
	o     Options
	mu    sync.Mutex
	procs map[supervisor.Key]*supervisor.Process
	// starting and building serialize Start and Build, so that two runs
	// of one step job (a restart re-enqueues what a crash interrupted)
	// adopt one process and build once.
	starting, building sync.Mutex
}

// New returns the runtime.
func New(o Options) *Runtime {
	if o.Limits == (supervisor.Limits{}) {
		o.Limits = DefaultLimits
	}
	if o.BuildTimeout == 0 {
		o.BuildTimeout = 10 * time.Minute
	}
	if o.HTTP == nil {
		o.HTTP = &http.Client{Timeout: 10 * time.Second}
	}
	return &Runtime{o: o, procs: map[supervisor.Key]*supervisor.Process{}}
}

var _ runway.Runtime = (*Runtime)(nil)

// Build unpacks the candidate's source (checking its digest) and builds it
// with the manifest's run.build.
func (r *Runtime) Build(ctx context.Context, app *runway.App, d *runway.Deployment, source []byte) (string, error) {
	r.building.Lock()
	defer r.building.Unlock()
	dir := filepath.Join(r.o.Sources, app.Name, d.Version())
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		tmp := dir + ".tmp"
		os.RemoveAll(tmp)
		if err := os.MkdirAll(tmp, 0o755); err != nil {
			return "", err
		}
		digest, err := sourcepack.Extract(source, tmp, sourcepack.DefaultLimits)
		if err != nil {
			return "", err
		}
		if digest != d.CandidateDigest {
			return "", runway.Errorf(runway.EINVALID, "the stored source of candidate #%d has digest %s, not the candidate's %s", d.Candidate, digest, d.CandidateDigest)
		}
		if err := os.Rename(tmp, dir); err != nil {
			return "", err
		}
	}
	b, err := r.o.Supervisor.Build(ctx, r.buildSpec(app, d))
	if err != nil {
		if b != nil && b.LogTail != "" {
			return "", fmt.Errorf("%w\nThe end of the build log:\n%s", err, b.LogTail)
		}
		return "", err
	}
	return b.Digest, nil
}

func (r *Runtime) buildSpec(app *runway.App, d *runway.Deployment) supervisor.BuildSpec {
	return supervisor.BuildSpec{App: app.Name, Version: d.Version(), Source: filepath.Join(r.o.Sources, app.Name, d.Version()),
		Command: app.Manifest.Run.Build, Timeout: r.o.BuildTimeout, Limits: r.o.Limits}
}

// Start runs the version (adopting it when a process from before a restart
// still runs it) and waits until it answers its health path.
func (r *Runtime) Start(ctx context.Context, app *runway.App, d *runway.Deployment) error {
	key := supervisor.Key{App: app.Name, Environment: d.Environment, Version: d.Version()}
	p, err := r.start(ctx, app, d, key)
	if err != nil {
		return err
	}
	return p.WaitReady(ctx)
}

// start finds the version's process, or adopts or starts it.
func (r *Runtime) start(ctx context.Context, app *runway.App, d *runway.Deployment, key supervisor.Key) (*supervisor.Process, error) {
	r.starting.Lock()
	defer r.starting.Unlock()
	if p := r.process(key); p != nil {
		return p, nil
	}
	spec, err := r.spec(ctx, app, d)
	if err != nil {
		return nil, err
	}
	p, err := r.o.Supervisor.Adopt(ctx, spec)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	r.procs[key] = p
	r.mu.Unlock()
	return p, nil
}

func (r *Runtime) spec(ctx context.Context, app *runway.App, d *runway.Deployment) (supervisor.Spec, error) {
	m := app.Manifest
	if m.Run.Start == "" {
		return supervisor.Spec{}, runway.Errorf(runway.EINVALID, "runway.yaml has no run.start: say how to start the app, such as `node app/server.js`")
	}
	var names []string
	for _, in := range m.Integrations {
		if in.Secret != "" && !slices.Contains(names, in.Secret) {
			names = append(names, in.Secret)
		}
	}
	secrets := map[string]string{}
	if len(names) > 0 && r.o.Secrets != nil {
		var err error
		if secrets, err = r.o.Secrets(ctx, app.Name, d.Environment, names); err != nil {
			return supervisor.Spec{}, err
		}
	}
	// The version was built before it starts; asking again returns that
	// build (where it runs from) without building anything.
	b, err := r.o.Supervisor.Build(ctx, r.buildSpec(app, d))
	if err != nil {
		return supervisor.Spec{}, err
	}
	return supervisor.Spec{App: app.Name, Environment: d.Environment, Version: d.Version(),
		Dir: b.Dir, Command: m.Run.Start, Secrets: secrets,
		OFREPEndpoint: r.o.OFREPEndpoint, Health: supervisor.HealthCheck{Path: m.Run.Health}, Limits: r.o.Limits}, nil
}

// Smoke checks the version answers its health path and its home page
// without a server error, straight at its port (probes, not users).
func (r *Runtime) Smoke(ctx context.Context, app *runway.App, d *runway.Deployment) error {
	p := r.process(supervisor.Key{App: app.Name, Environment: d.Environment, Version: d.Version()})
	if p == nil {
		return runway.Errorf(runway.EUNAVAILABLE, "version %s of %s is not running in %s", d.Version(), app.Name, d.Environment)
	}
	for _, path := range slices.Compact([]string{app.Manifest.Run.Health, "/"}) {
		if path == "" {
			continue
		}
		if err := r.probe(ctx, p.Port(), path); err != nil {
			return err
		}
	}
	return nil
}

// Probe sends the platform's own request to a version's health path (or
// home page), straight at its process, for the canary's probe stream. A
// status of 0 means no answer.
func (r *Runtime) Probe(ctx context.Context, app *runway.App, env runway.Environment, version string) (int, time.Duration) {
	p := r.process(supervisor.Key{App: app.Name, Environment: env, Version: version})
	if p == nil {
		return 0, 0
	}
	path := app.Manifest.Run.Health
	if path == "" {
		path = "/"
	}
	start := time.Now()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("http://127.0.0.1:%d%s", p.Port(), path), nil)
	if err != nil {
		return 0, 0
	}
	req.Header.Set("User-Agent", "runway-probe")
	res, err := r.o.HTTP.Do(req)
	if err != nil {
		return 0, time.Since(start)
	}
	res.Body.Close()
	return res.StatusCode, time.Since(start)
}

func (r *Runtime) probe(ctx context.Context, port int, path string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("http://127.0.0.1:%d%s", port, path), nil)
	if err != nil {
		return err
	}
	req.Header.Set("User-Agent", "runway-smoke")
	res, err := r.o.HTTP.Do(req)
	if err != nil {
		return runway.Errorf(runway.EINVALID, "GET %s did not answer: %v", path, err)
	}
	res.Body.Close()
	if res.StatusCode >= 500 {
		return runway.Errorf(runway.EINVALID, "GET %s answered %d", path, res.StatusCode)
	}
	return nil
}

// Route sets the environment's route: stable takes the traffic the canary
// does not; an empty canary (or weight 0) removes the split, and an empty
// stable with a canary at 100 makes the canary the only version.
func (r *Runtime) Route(ctx context.Context, app string, env runway.Environment, stable, canary string, weight int) error {
	route := proxy.Route{App: app, Env: string(env)}
	if stable == "" || weight >= 100 {
		stable, canary, weight = canary, "", 0
	}
	if canary == "" {
		weight = 0
	}
	var err error
	if route.Stable, err = r.backend(app, env, stable); err != nil {
		return err
	}
	if canary != "" {
		if route.Canary, err = r.backend(app, env, canary); err != nil {
			return err
		}
		route.CanaryWeight = float64(weight)
	}
	t := r.o.Proxy.Table()
	i := slices.IndexFunc(t.Routes, func(x proxy.Route) bool { return x.App == app && x.Env == string(env) })
	if i < 0 {
		t.Routes = append(t.Routes, route)
	} else {
		route.StickyHeader, route.StickyCookie = t.Routes[i].StickyHeader, t.Routes[i].StickyCookie
		t.Routes[i] = route
	}
	return r.o.Proxy.Swap(t)
}

func (r *Runtime) backend(app string, env runway.Environment, version string) (proxy.Backend, error) {
	p := r.process(supervisor.Key{App: app, Environment: env, Version: version})
	if p == nil {
		return proxy.Backend{}, runway.Errorf(runway.EUNAVAILABLE, "version %s of %s is not running in %s, so no traffic can go to it", version, app, env)
	}
	return proxy.Backend{Version: version, URL: fmt.Sprintf("http://127.0.0.1:%d", p.Port())}, nil
}

// Stop stops a version; stopping one that does not run is not an error.
func (r *Runtime) Stop(ctx context.Context, app string, env runway.Environment, version string) error {
	key := supervisor.Key{App: app, Environment: env, Version: version}
	p := r.process(key)
	if p == nil {
		return nil
	}
	if err := p.Stop(ctx); err != nil {
		return err
	}
	r.mu.Lock()
	delete(r.procs, key)
	r.mu.Unlock()
	return nil
}

func (r *Runtime) process(key supervisor.Key) *supervisor.Process {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.procs[key]
}
