package supervisor

import (
	"fmt"
	"strconv"
	"time"
)

// State is where a supervised process stands.
type State string

// Process states.
const (
	// StateStarting: started, not yet healthy.
	StateStarting State = "starting"
	// StateRunning: healthy (or started, when it has no health check).
	StateRunning State = "running"
	// StateBackoff: it exited and waits to be restarted.
	StateBackoff State = "backoff"
	// StateCrashLoop: like backoff, after several crashes in a row.
	StateCrashLoop State = "crash_loop"
	// StateStopping: stopping on request.
	StateStopping State = "stopping"
	// StateStopped: stopped on request (final).
	StateStopped State = "stopped"
	// StateFailed: it crashed more often in a row than the restart policy
	// allows (final).
	StateFailed State = "failed"
	// StateDetached: the supervisor was closed; the process may still run,
	// for the next supervisor to adopt (final for this handle).
	StateDetached State = "detached"
)

// Status is a snapshot of a supervised process.
type Status struct {
	Key
	State State `json:"state"`
	PID   int   `json:"pid,omitempty"`
	Port  int   `json:"port"`
	// StartedAt is when the current run started.
	StartedAt time.Time `json:"started_at,omitzero"`
	// Restarts counts the restarts since Start; Failures the crashes in a
	// row (reset by a run longer than RestartPolicy.ResetAfter).
	Restarts int `json:"restarts"`
	Failures int `json:"failures"`
	// NextStart is when a process in backoff starts again.
	NextStart time.Time    `json:"next_start,omitzero"`
	LastExit  *Exit        `json:"last_exit,omitempty"`
	Health    HealthStatus `json:"health"`
	// Adopted is true when this run was started by a previous Runway.
	Adopted bool          `json:"adopted,omitempty"`
	Limits  []Enforcement `json:"limits,omitempty"`
	Log     string        `json:"log"`
}

// Exit is how a run ended.
type Exit struct {
	At time.Time `json:"at"`
	// Ran is how long the run lasted.
	Ran time.Duration `json:"ran"`
	// Code is the exit code, -1 when killed by a signal or unknown.
	Code   int    `json:"code"`
	Signal string `json:"signal,omitempty"`
	// Reason says what happened, in plain words.
	Reason string `json:"reason"`
}

// HealthStatus is the result of the health checks of the current run.
type HealthStatus struct {
	Healthy  bool      `json:"healthy"`
	Checked  time.Time `json:"checked,omitzero"`
	Failures int       `json:"failures,omitempty"`
	Error    string    `json:"error,omitempty"`
}

// set changes the status and wakes up the watchers.
func (p *Process) set(change func(*Status)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	change(&p.st)
	close(p.changed)
	p.changed = make(chan struct{})
}

// Key returns the process's key.
func (p *Process) Key() Key { return p.key }

// Port returns the port the app listens on.
func (p *Process) Port() int { return p.spec.Port }

// Status returns a snapshot of the process's status.
func (p *Process) Status() Status {
	st, _ := p.Watch()
	return st
}

// Watch returns a snapshot of the status and a channel closed at its next
// change.
func (p *Process) Watch() (Status, <-chan struct{}) {
	p.mu.Lock()
	defer p.mu.Unlock()
	st := p.st
	if st.LastExit != nil {
		ex := *st.LastExit
		st.LastExit = &ex
	}
	return st, p.changed
}

// exitReason says in plain words how a run ended.
func exitReason(ex Exit, reason string, oom int, l Limits, adopted bool) string {
	switch {
	case reason != "":
		return reason
	case oom > 0:
		return fmt.Sprintf("killed: out of memory (limit %s)", formatBytes(l.MemoryBytes))
	case ex.Signal != "":
		return "killed by signal " + ex.Signal
	case ex.Code == exitGateClosed:
		return "exited with code 125 before its command ran"
	case ex.Code == 126:
		return "exited with code 126: the start command is not executable"
	case ex.Code == 127:
		return "exited with code 127: the start command was not found (check run.start in runway.yaml)"
	case ex.Code >= 0:
		return "exited with code " + strconv.Itoa(ex.Code)
	case adopted:
		return "exited (its exit code is unknown: it was started by a previous run of Runway)"
	}
	return "exited"
}
