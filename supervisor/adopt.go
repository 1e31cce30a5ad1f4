package supervisor

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"

	"github.com/runwayhq/runway"
)

// Adopt supervises the process of spec's key that a previous run of
// Runway left running, if it was started with exactly this spec (secrets
// included) and is still alive: no restart, no downtime, and its output,
// held in its pipe meanwhile, reaches the log. Otherwise it stops whatever
// is left of it and starts spec afresh, like Start. Status().Adopted tells
// which happened. Call it after a restart for every process that should
// run, then Reap for the rest. Errors as for Start.
func (s *Supervisor) Adopt(ctx context.Context, spec Spec) (*Process, error) {
	if err := spec.validate(); err != nil {
		return nil, err
	}
	rec, err := s.readRecord(spec.Key())
	if errors.Is(err, os.ErrNotExist) {
		return s.Start(ctx, spec)
	}
	if err != nil {
		return nil, err
	}
	if spec.Port == 0 {
		spec.Port = rec.Port
	}
	if _, taken := s.Find(spec.Key()); taken {
		return nil, runway.Errorf(runway.ECONFLICT, "%s is already supervised", spec.Key())
	}
	p, err := s.newProcess(spec)
	if err != nil {
		return nil, err
	}
	why := ""
	switch {
	case !rec.alive():
		why = "it is no longer running"
	case rec.Fingerprint != p.fp:
		why = "it was started with another command, folder, port, variables, secrets or limits"
	}
	var a *attempt
	if why == "" {
		if a, err = s.reattach(p, rec); err != nil {
			why = err.Error()
		}
	}
	if why != "" {
		p.log.Close()
		s.log.Info("not adopting a leftover process", "key", rec.Key.String(), "pid", rec.PID, "why", why)
		s.killLeftover(rec)
		os.Remove(filepath.Join(s.runDir(rec.Key), "state.json"))
		return s.Start(ctx, spec)
	}
	if err := s.register(p); err != nil {
		a.logR.Close()
		p.log.Close()
		return nil, err
	}
	p.begin(a, true)
	go p.run(a)
	return p, nil
}

// reattach makes an attempt of a live leftover process: its exit is
// watched through a pidfd and its output read again from its named pipe.
func (s *Supervisor) reattach(p *Process, rec *record) (*attempt, error) {
	exited, err := watchExit(rec.PID)
	if err != nil {
		return nil, err
	}
	// The pidfd names the process for good; check it is still ours.
	if !rec.alive() {
		return nil, fmt.Errorf("process %d exited", rec.PID)
	}
	r, err := os.OpenFile(filepath.Join(s.runDir(rec.Key), "log.fifo"), os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, fmt.Errorf("log pipe: %w", err)
	}
	a := &attempt{pid: rec.PID, group: rec.group(), started: rec.StartedAt, exited: exited,
		limits: s.confinement(p.spec.Limits).report, logR: r, copied: make(chan struct{})}
	go a.copyOutput(p.red, p.log)
	return a, nil
}
