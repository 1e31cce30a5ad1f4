package supervisor

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/runwayhq/runway"
)

// Process is a supervised app process tree. Its methods are safe for
// concurrent use.
type Process struct {
	s    *Supervisor
	key  Key
	spec Spec
	env  []string
	red  *Redactor
	log  *logFile
	fp   string

	stopC, killC, detachC       chan struct{}
	stopOnce, killOnce, detOnce sync.Once
	done                        chan struct{}

	mu       sync.Mutex
	st       Status
	changed  chan struct{}
	err      error
	stopping bool
}

// Start starts spec's command and supervises it until Stop. It returns
// once the command runs (not once it is healthy: see WaitReady). A process
// of the same key left by a previous run is stopped first, so the app never
// runs twice. EINVALID for a bad spec, ECONFLICT when the key is already
// supervised.
func (s *Supervisor) Start(ctx context.Context, spec Spec) (*Process, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := spec.validate(); err != nil {
		return nil, err
	}
	if _, taken := s.Find(spec.Key()); taken {
		return nil, runway.Errorf(runway.ECONFLICT, "%s is already running: stop it first", spec.Key())
	}
	if spec.Port == 0 {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		spec.Port = port
	}
	p, err := s.newProcess(spec)
	if err != nil {
		return nil, err
	}
	if err := s.register(p); err != nil {
		p.log.Close()
		return nil, err
	}
	if rec, err := s.readRecord(p.key); err == nil {
		s.killLeftover(rec)
		p.log.event("stopped process %d, left running by a previous run of Runway", rec.PID)
	}
	a, err := p.launch()
	if err != nil {
		p.log.event("could not start: %v", err)
		p.log.Close()
		os.RemoveAll(s.runDir(p.key))
		os.RemoveAll(s.homeDir(p.key))
		s.forget(p)
		return nil, err
	}
	go p.run(a)
	return p, nil
}

// newProcess prepares a Process for a validated spec with its port.
func (s *Supervisor) newProcess(spec Spec) (*Process, error) {
	if st, err := os.Stat(spec.Dir); err != nil || !st.IsDir() {
		return nil, runway.Errorf(runway.EINVALID, "the folder %s of %s does not exist", spec.Dir, spec.Key())
	}
	spec.Health = spec.Health.withDefaults()
	home := s.homeDir(spec.Key())
	if err := os.MkdirAll(home, s.dirMode); err != nil {
		return nil, err
	}
	if err := errors.Join(os.Chmod(home, 0o700), s.chown(home)); err != nil {
		return nil, err
	}
	fp, err := s.fingerprint(&spec)
	if err != nil {
		return nil, err
	}
	p := &Process{s: s, key: spec.Key(), spec: spec, env: spec.environ(s.opts.Path, home),
		red: NewRedactor(spec.Secrets), fp: fp,
		stopC: make(chan struct{}), killC: make(chan struct{}), detachC: make(chan struct{}),
		done: make(chan struct{}), changed: make(chan struct{})}
	p.log, err = openLog(s.LogPath(p.key), s.opts.LogMaxBytes, s.now)
	if err != nil {
		return nil, err
	}
	p.st = Status{Key: p.key, State: StateStarting, Port: spec.Port, Log: s.LogPath(p.key)}
	return p, nil
}

func (h HealthCheck) withDefaults() HealthCheck {
	h.Interval = orDefault(h.Interval, 10*time.Second)
	h.Timeout = orDefault(h.Timeout, 2*time.Second)
	h.StartTimeout = orDefault(h.StartTimeout, time.Minute)
	if h.Failures <= 0 {
		h.Failures = 3
	}
	return h
}

// freePort returns a port free on 127.0.0.1 now.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("pick a port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// launch starts one run and reports it.
func (p *Process) launch() (*attempt, error) {
	a, err := p.s.launch(&launchSpec{key: p.key, dir: p.spec.Dir, command: p.spec.Command, env: p.env,
		limits: p.spec.Limits, port: p.spec.Port, fingerprint: p.fp, log: p.log, redactor: p.red})
	if err != nil {
		return nil, err
	}
	p.begin(a, false)
	return a, nil
}

// begin records the start of a run.
func (p *Process) begin(a *attempt, adopted bool) {
	verb := "started"
	if adopted {
		verb = "adopted (left running by a previous run of Runway)"
	}
	p.log.event("%s: process %d, port %d, sh -c %q", verb, a.pid, p.spec.Port, p.red.Redact(p.spec.Command))
	for _, e := range a.limits {
		if e.Mechanism == "" {
			p.log.event("limit %s %s: %s", e.Resource, e.Limit, e.Note)
		}
	}
	p.s.log.Info("process "+verb, "key", p.key.String(), "pid", a.pid, "port", p.spec.Port)
	p.set(func(st *Status) {
		st.State = StateStarting
		if p.spec.Health.Path == "" {
			st.State = StateRunning
		}
		st.PID, st.StartedAt, st.NextStart = a.pid, a.started, time.Time{}
		st.Health = HealthStatus{}
		st.Adopted = adopted
		st.Limits = a.limits
	})
}

// outcome is how watch ended.
type outcome struct {
	reason   string // why the supervisor ended the run, if it did
	termSent bool
	detached bool
}

// watch waits for the run to end, checking its health, and ends it when it
// must stop or stays unhealthy.
func (p *Process) watch(a *attempt) outcome {
	var o outcome
	hc := p.spec.Health
	var probeTimer, startTimer *time.Timer
	var probeC, startC <-chan time.Time
	if hc.Path != "" {
		probeTimer = time.NewTimer(0)
		defer probeTimer.Stop()
		startTimer = time.NewTimer(hc.StartTimeout)
		defer startTimer.Stop()
		probeC, startC = probeTimer.C, startTimer.C
	}
	var killC <-chan time.Time
	terminate := func(reason string) {
		if o.termSent {
			return
		}
		o.reason, o.termSent = reason, true
		a.group.signal(syscall.SIGTERM)
		killC = time.After(p.s.opts.StopGrace)
		probeC, startC = nil, nil
	}
	stopC, hardKillC := p.stopC, p.killC
	var probe chan error
	healthy, failures := false, 0
	var lastErr error
	for {
		select {
		case <-a.exited:
			return o
		case <-p.detachC:
			o.detached = true
			return o
		case <-stopC:
			stopC = nil
			terminate("stopped on request")
		case <-hardKillC:
			hardKillC = nil
			a.group.kill()
		case <-killC:
			killC = nil
			p.log.event("still running %s after SIGTERM: sending SIGKILL", p.s.opts.StopGrace)
			a.group.kill()
		case <-probeC:
			probe = make(chan error, 1)
			go func() { probe <- p.check(context.Background()) }()
		case <-startC:
			startC = nil
			if !healthy {
				terminate(fmt.Sprintf("not healthy %s after starting (last check: %v)", hc.StartTimeout, lastErr))
			}
		case err := <-probe:
			probe = nil
			if o.termSent {
				continue
			}
			lastErr = err
			next := hc.Interval
			switch {
			case err == nil:
				failures = 0
				if !healthy {
					healthy, startC = true, nil
					p.log.event("healthy: GET %s answered", hc.Path)
				}
			case healthy:
				failures++
				p.log.event("health check failed (%d of %d): %v", failures, hc.Failures, err)
				if failures >= hc.Failures {
					terminate(fmt.Sprintf("unhealthy: %d health checks in a row failed (last: %v)", failures, err))
				}
			default:
				next = min(hc.Interval, 100*time.Millisecond) // still starting: look again soon
			}
			p.setHealth(err, healthy, failures)
			if probeC != nil {
				probeTimer.Reset(next)
			}
		}
	}
}

func (p *Process) setHealth(err error, healthy bool, failures int) {
	p.set(func(st *Status) {
		st.Health = HealthStatus{Healthy: err == nil, Checked: p.s.now(), Failures: failures}
		if err != nil {
			st.Health.Error = err.Error()
		}
		if healthy && st.State == StateStarting {
			st.State = StateRunning
		}
	})
}

// finish cleans up after a run whose leader has exited: the rest of its
// group, its cgroup, its output and its state file, in that order.
func (p *Process) finish(a *attempt, o outcome) Exit {
	a.group.drain(p.s.opts.StopGrace, o.termSent)
	a.reap()
	oom := 0
	if a.group.cg != nil {
		oom = a.group.cg.oomKills()
		if err := a.group.cg.remove(); err != nil {
			p.s.log.Warn("cgroup", "key", p.key.String(), "err", err)
		}
	}
	a.closeOutput()
	os.Remove(filepath.Join(p.s.runDir(p.key), "state.json"))
	now := p.s.now()
	ex := Exit{At: now, Ran: now.Sub(a.started)}
	ex.Code, ex.Signal = a.exitStatus()
	ex.Reason = exitReason(ex, o.reason, oom, p.spec.Limits, a.cmd == nil)
	p.s.log.Info("process exited", "key", p.key.String(), "pid", a.pid, "reason", ex.Reason)
	return ex
}

// end records a final state and forgets the process.
func (p *Process) end(state State, ex Exit, err error) {
	os.RemoveAll(p.s.runDir(p.key))
	os.RemoveAll(p.s.homeDir(p.key))
	p.s.forget(p)
	p.mu.Lock()
	p.err = err
	p.mu.Unlock()
	p.set(func(st *Status) {
		st.State, st.PID, st.NextStart = state, 0, time.Time{}
		st.LastExit = &ex
	})
}

// detachRun leaves the run going when the supervisor closes: the state
// file stays, and the output waits in the named pipe for the next
// supervisor.
func (p *Process) detachRun(a *attempt) {
	a.logR.Close()
	<-a.copied
	p.log.event("Runway stopped supervising; the process keeps running")
	// Reap it if it exits while this process lives.
	go func() {
		<-a.exited
		a.reap()
	}()
	p.s.forget(p)
	p.set(func(st *Status) { st.State = StateDetached })
}

func (p *Process) detach() { p.detOnce.Do(func() { close(p.detachC) }) }

func (p *Process) isStopping() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stopping
}

// Stop stops the process tree: SIGTERM to the whole group, SIGKILL after
// Options.StopGrace or when ctx ends, whichever is first. It returns once
// the process is gone. EUNAVAILABLE when the supervisor was closed.
func (p *Process) Stop(ctx context.Context) error {
	if p.Status().State == StateDetached {
		return runway.Errorf(runway.EUNAVAILABLE, "%s is no longer supervised by this Runway process", p.key)
	}
	p.stopOnce.Do(func() {
		p.mu.Lock()
		p.stopping = true
		p.mu.Unlock()
		p.set(func(st *Status) {
			if st.State != StateStopped && st.State != StateFailed {
				st.State = StateStopping
			}
		})
		close(p.stopC)
	})
	select {
	case <-p.done:
	case <-ctx.Done():
		p.killOnce.Do(func() { close(p.killC) })
		<-p.done
	}
	return nil
}

// Wait waits until the process is stopped, given up or detached. It
// returns nil after Stop, and an EUNAVAILABLE error when the restart policy
// gave up.
func (p *Process) Wait() error {
	<-p.done
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}

// Done returns a channel closed when the process is no longer supervised.
func (p *Process) Done() <-chan struct{} { return p.done }
