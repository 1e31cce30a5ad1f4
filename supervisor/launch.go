package supervisor

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

// gateScript is the first program of every process. It waits, with its
// limits already applied, until the supervisor has recorded it and writes
// a line on fd 3; then it executes its arguments: sh -c and the app's
// command, behind setpriv when the app runs as another user. If Runway
// dies before that, fd 3 reaches end of file and the command never runs:
// nothing starts that a state file does not name.
//
// The gate runs as Runway's own user even when the app will not, so that
// Runway may set its rlimits without CAP_SYS_RESOURCE (which containers
// usually drop); the limits carry over the change of user.
const gateScript = `read -r _ <&3 || exit 125; exec 3<&-; exec "$@"`

// exitGateClosed is the gate's exit code when it was never opened.
const exitGateClosed = 125

// launchSpec is what one run of a command needs.
type launchSpec struct {
	key         Key
	dir         string
	command     string
	env         []string
	limits      Limits
	port        int
	fingerprint string
	log         *logFile
	redactor    *Redactor
}

// attempt is one run of a process tree, from its start to its exit.
type attempt struct {
	pid     int
	group   group
	cmd     *exec.Cmd // nil for an adopted process
	started time.Time
	limits  []Enforcement
	exited  <-chan struct{} // closed when the leader has exited (not yet reaped)
	waitErr error
	reaped  bool
	logR    *os.File
	copied  chan struct{} // closed when the output is all in the log
}

// launch starts l.command: a fresh pipe for its output (a named one, so
// that it survives a restart of Runway), its limits (cgroup and rlimits)
// and its state file, all before the gate lets the command run.
func (s *Supervisor) launch(l *launchSpec) (*attempt, error) {
	dir := s.runDir(l.key)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	fifo := filepath.Join(dir, "log.fifo")
	os.Remove(fifo)
	if err := mkfifo(fifo); err != nil {
		return nil, fmt.Errorf("log pipe of %s: %w", l.key, err)
	}
	// The app holds its end open for reading and writing, so it never gets
	// SIGPIPE while no supervisor reads; it blocks once the pipe is full.
	w, err := os.OpenFile(fifo, os.O_RDWR, 0)
	if err != nil {
		return nil, fmt.Errorf("log pipe of %s: %w", l.key, err)
	}
	defer w.Close()
	r, err := os.OpenFile(fifo, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, fmt.Errorf("log pipe of %s: %w", l.key, err)
	}
	setPipeSize(w, 1<<20)
	gateR, gateW, err := os.Pipe()
	if err != nil {
		r.Close()
		return nil, err
	}
	defer gateW.Close()

	conf := s.confinement(l.limits)
	var cg *cgroup
	if conf.cgroup {
		if cg, err = s.cg.create(cgroupName(l.key), l.limits); err != nil {
			gateR.Close()
			r.Close()
			return nil, err
		}
	}
	argv := []string{"-c", gateScript, "runway-gate"}
	if c := s.opts.RunAs; c != nil {
		argv = append(argv, s.setpriv, fmt.Sprintf("--reuid=%d", c.UID), fmt.Sprintf("--regid=%d", c.GID),
			"--clear-groups", "--no-new-privs", "--")
	}
	cmd := exec.Command("/bin/sh", append(argv, "/bin/sh", "-c", l.command)...)
	cmd.Dir, cmd.Env = l.dir, l.env
	cmd.Stdout, cmd.Stderr = w, w
	cmd.ExtraFiles = []*os.File{gateR}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	err = cmd.Start()
	gateR.Close()
	if err != nil {
		r.Close()
		if cg != nil {
			cg.remove()
		}
		return nil, fmt.Errorf("start %s: %w", l.key, err)
	}
	a := &attempt{pid: cmd.Process.Pid, group: group{pgid: cmd.Process.Pid, cg: cg}, cmd: cmd,
		started: s.now(), limits: conf.report, logR: r, copied: make(chan struct{})}
	if err := s.confineAndRecord(a, conf, l); err != nil {
		a.group.kill()
		cmd.Wait()
		r.Close()
		if cg != nil {
			cg.remove()
		}
		os.Remove(filepath.Join(dir, "state.json"))
		return nil, err
	}
	exited := make(chan struct{})
	go func() {
		// Where waitNoReap is not available the leader is reaped at once.
		if waitNoReap(a.pid) != nil {
			a.waitErr, a.reaped = cmd.Wait(), true
		}
		close(exited)
	}()
	a.exited = exited
	go a.copyOutput(l.redactor, l.log)
	if _, err := gateW.Write([]byte("go\n")); err != nil {
		// The gate is gone: the exit watcher will see it exit.
		s.log.Warn("gate", "key", l.key.String(), "err", err)
	}
	return a, nil
}

// confineAndRecord applies the limits to the waiting gate and writes the
// state file.
func (s *Supervisor) confineAndRecord(a *attempt, conf confinement, l *launchSpec) error {
	if a.group.cg != nil {
		if err := a.group.cg.add(a.pid); err != nil {
			return err
		}
	}
	if err := setRlimits(a.pid, conf.rlimits); err != nil {
		return err
	}
	info, err := readProc(a.pid)
	if err != nil {
		return fmt.Errorf("start %s: %w", l.key, err)
	}
	rec := &record{Key: l.key, PID: a.pid, PGID: a.pid, StartTicks: info.start, BootID: bootID(),
		Port: l.port, StartedAt: a.started, Fingerprint: l.fingerprint, Supervisor: os.Getpid()}
	if a.group.cg != nil {
		rec.Cgroup = a.group.cg.dir
	}
	return s.writeRecord(rec)
}

// copyOutput copies the app's output to the log, redacted, until every
// writer has closed the pipe (or logR is closed).
func (a *attempt) copyOutput(red *Redactor, log *logFile) {
	defer close(a.copied)
	rw := red.Writer(log.stream("app"))
	io.Copy(rw, a.logR)
	rw.Flush()
}

// closeOutput waits a little for the output to be copied, then stops
// reading: a process that left the group may hold the pipe open.
func (a *attempt) closeOutput() {
	select {
	case <-a.copied:
	case <-time.After(2 * time.Second):
	}
	a.logR.Close()
	<-a.copied
}

// reap collects the leader's exit status, once it has exited.
func (a *attempt) reap() {
	if !a.reaped && a.cmd != nil {
		a.waitErr, a.reaped = a.cmd.Wait(), true
	}
}

// exitStatus returns the leader's exit code, or the signal that killed
// it; code is -1 when unknown or killed.
func (a *attempt) exitStatus() (code int, signal string) {
	if a.cmd == nil || a.cmd.ProcessState == nil {
		return -1, ""
	}
	if ws, ok := a.cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return -1, ws.Signal().String()
	}
	var exit *exec.ExitError
	if a.waitErr != nil && !errors.As(a.waitErr, &exit) {
		return -1, ""
	}
	return a.cmd.ProcessState.ExitCode(), ""
}

// cgroupName is the name of a process tree's cgroup.
func cgroupName(k Key) string {
	return "runway-" + k.App + "." + string(k.Environment) + "." + k.Version
}
