package supervisor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/runwayhq/runway"
)

// Options configure a Supervisor. Only DataDir is required.
type Options struct {
	// DataDir holds the supervisor's state (run/) and logs (logs/). One
	// Supervisor at a time may use it.
	DataDir string
	// AppsDir holds the builds (builds/) and the apps' home folders
	// (home/); default DATA/apps. With RunAs, apps must be able to reach
	// it, so it must lie outside a private DataDir: every folder above it
	// must be searchable by others.
	AppsDir string
	// Logger receives what the supervisor does; nil discards it.
	Logger *slog.Logger
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// Path is the PATH apps and builds get; empty means DefaultPath.
	Path string
	// RunAs is the user apps and builds run as. It needs Runway to run as
	// root and setpriv (util-linux) in Path; nil runs them as Runway's own
	// user. A user of their own is what makes limits hard caps
	// (docs/runtime-isolation.md).
	RunAs *Credential
	// Cgroup selects the cgroup v2 directory for app cgroups: "" or "auto"
	// uses this process's own cgroup when it is delegated, "off" uses
	// rlimits only, and a path names a delegated cgroup v2 directory.
	Cgroup string
	// StopGrace is how long a process has between SIGTERM and SIGKILL
	// (default 10s).
	StopGrace time.Duration
	// Restart is the restart policy of crashed processes.
	Restart RestartPolicy
	// LogMaxBytes is the size at which a log is rotated (default 10 MiB).
	LogMaxBytes int64
}

// Credential is a user and group to run apps as.
type Credential struct {
	UID, GID uint32
}

// RestartPolicy says how crashed processes are restarted: after Initial,
// then twice as long after each crash in a row, up to Max.
type RestartPolicy struct {
	Initial time.Duration // default 1s
	Max     time.Duration // default 1m
	// ResetAfter is how long a process must run for its next crash to
	// count as the first again (default 1m).
	ResetAfter time.Duration
	// CrashLoopAfter is the number of crashes in a row after which the
	// process shows as crash_loop (default 3). It keeps being restarted.
	CrashLoopAfter int
	// MaxRestarts gives up after that many restarts in a row; 0 never
	// gives up.
	MaxRestarts int
}

// Supervisor runs app processes and builds on this machine.
type Supervisor struct {
	opts      Options
	log       *slog.Logger
	now       func() time.Time
	cg        *cgroupRoot
	isolation Isolation
	lock      *os.File
	setpriv   string      // the setpriv program, when apps run as another user
	dirMode   os.FileMode // of the folders under AppsDir

	mu       sync.Mutex
	procs    map[Key]*Process
	building map[Key]bool
	closed   bool
}

// New returns a Supervisor over opts.DataDir. It takes the data
// directory's lock (ECONFLICT when another Runway process holds it) and
// detects how resource limits can be enforced. It neither adopts nor kills
// processes left by a previous run: call Adopt and Reap for that.
func New(opts Options) (*Supervisor, error) {
	if opts.DataDir == "" {
		return nil, runway.Errorf(runway.EINVALID, "the supervisor needs a data directory")
	}
	if err := setDefaults(&opts); err != nil {
		return nil, err
	}
	setpriv := ""
	if opts.RunAs != nil {
		if os.Geteuid() != 0 {
			return nil, runway.Errorf(runway.EINVALID, "running apps as user %d needs Runway to run as root", opts.RunAs.UID)
		}
		if setpriv = findProgram(opts.Path, "setpriv"); setpriv == "" {
			return nil, runway.Errorf(runway.EINVALID, "running apps as user %d needs setpriv (from util-linux) in %s", opts.RunAs.UID, opts.Path)
		}
	}
	for _, d := range []string{"run", "logs"} {
		if err := os.MkdirAll(filepath.Join(opts.DataDir, d), 0o700); err != nil {
			return nil, fmt.Errorf("supervisor data directory: %w", err)
		}
	}
	dirMode, err := prepareAppsDir(opts.AppsDir, opts.RunAs != nil)
	if err != nil {
		return nil, err
	}
	lock, err := os.OpenFile(filepath.Join(opts.DataDir, "run", "supervisor.lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("supervisor lock: %w", err)
	}
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		lock.Close()
		return nil, &runway.Error{Code: runway.ECONFLICT, Err: err,
			Message: fmt.Sprintf("another Runway process is supervising the apps of %s", opts.DataDir)}
	}
	s := &Supervisor{opts: opts, log: opts.Logger, now: opts.Now, lock: lock, setpriv: setpriv, dirMode: dirMode,
		procs: map[Key]*Process{}}
	var reason string
	s.cg, reason = detectCgroup(opts.Cgroup)
	if s.cg != nil {
		s.isolation.Cgroup = s.cg.dir
	} else {
		s.isolation.Reason = reason
	}
	if opts.RunAs != nil {
		s.isolation.AppUser = fmt.Sprintf("%d:%d", opts.RunAs.UID, opts.RunAs.GID)
	}
	s.log.Info("supervisor ready", "data_dir", opts.DataDir, "cgroup", s.isolation.Cgroup, "no_cgroup_because", reason)
	return s, nil
}

// prepareAppsDir makes the apps folder. When apps run as another user it
// is searchable (0711), and so must be every folder above it.
func prepareAppsDir(dir string, shared bool) (os.FileMode, error) {
	mode := os.FileMode(0o700)
	if shared {
		mode = 0o711
	}
	for _, d := range []string{"builds", "home"} {
		if err := os.MkdirAll(filepath.Join(dir, d), mode); err != nil {
			return 0, fmt.Errorf("apps folder: %w", err)
		}
	}
	if !shared {
		return mode, nil
	}
	for _, d := range []string{filepath.Join(dir, "builds"), filepath.Join(dir, "home"), dir} {
		if err := os.Chmod(d, mode); err != nil {
			return 0, err
		}
	}
	for p := filepath.Dir(dir); ; p = filepath.Dir(p) {
		st, err := os.Stat(p)
		if err != nil {
			return 0, err
		}
		if st.Mode().Perm()&0o001 == 0 {
			return 0, runway.Errorf(runway.EINVALID,
				"apps that run as another user cannot reach the apps folder %s: %s is not searchable by others (chmod o+x %s, or choose an apps folder outside the data folder)",
				dir, p, p)
		}
		if p == filepath.Dir(p) {
			return mode, nil
		}
	}
}

func setDefaults(o *Options) error {
	// Paths reach apps (HOME) whose working folder is not Runway's.
	var err1, err2 error
	o.DataDir, err1 = filepath.Abs(o.DataDir)
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.AppsDir == "" {
		o.AppsDir = filepath.Join(o.DataDir, "apps")
	}
	o.AppsDir, err2 = filepath.Abs(o.AppsDir)
	if err := errors.Join(err1, err2); err != nil {
		return err
	}
	if o.Path == "" {
		o.Path = DefaultPath
	}
	if o.StopGrace <= 0 {
		o.StopGrace = 10 * time.Second
	}
	if o.LogMaxBytes <= 0 {
		o.LogMaxBytes = 10 << 20
	}
	r := &o.Restart
	r.Initial = orDefault(r.Initial, time.Second)
	r.Max = max(orDefault(r.Max, time.Minute), r.Initial)
	r.ResetAfter = orDefault(r.ResetAfter, time.Minute)
	if r.CrashLoopAfter <= 0 {
		r.CrashLoopAfter = 3
	}
	return nil
}

// orDefault returns d, or def when d is not positive.
func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// findProgram looks for name in the folders of path.
func findProgram(path, name string) string {
	for _, dir := range filepath.SplitList(path) {
		p := filepath.Join(dir, name)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() && st.Mode().Perm()&0o111 != 0 {
			return p
		}
	}
	return ""
}

// Isolation says how limits are enforced on this machine.
func (s *Supervisor) Isolation() Isolation { return s.isolation }

// Limits says how the limits would be enforced for a process started now.
func (s *Supervisor) Limits(l Limits) []Enforcement {
	return s.confinement(l).report
}

func (s *Supervisor) confinement(l Limits) confinement {
	uid := os.Geteuid()
	if s.opts.RunAs != nil {
		uid = int(s.opts.RunAs.UID)
	}
	c := confine(l, s.cg != nil, uid, os.Geteuid(), canRaiseRlimits())
	if !rlimitsSupported {
		c.rlimits = nil
		for i, e := range c.report {
			if strings.HasPrefix(e.Mechanism, "RLIMIT_") {
				c.report[i] = Enforcement{Resource: e.Resource, Limit: e.Limit, Note: "not enforced: rlimits are applied on Linux only"}
			}
		}
	}
	return c
}

// Find returns the process supervised under key.
func (s *Supervisor) Find(key Key) (*Process, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.procs[key]
	return p, ok
}

// Processes returns the supervised processes, by key.
func (s *Supervisor) Processes() []*Process {
	s.mu.Lock()
	defer s.mu.Unlock()
	list := make([]*Process, 0, len(s.procs))
	for _, p := range s.procs {
		list = append(list, p)
	}
	slices.SortFunc(list, func(a, b *Process) int { return strings.Compare(a.key.String(), b.key.String()) })
	return list
}

// LogPath returns the path of the log of the process key (it need not
// exist). A rotated part, if any, is the same path with ".1" appended.
func (s *Supervisor) LogPath(key Key) string {
	return filepath.Join(s.opts.DataDir, "logs", key.App, string(key.Environment), key.Version+".log")
}

// Logs returns the captured log of the process key, secrets redacted,
// oldest line first; the Environment "build" names a build's log.
// ENOTFOUND when there is none.
func (s *Supervisor) Logs(key Key) (io.ReadCloser, error) {
	check := key
	if key.Environment == buildEnvironment {
		check.Environment = runway.EnvSandbox
	}
	if err := check.validate(); err != nil {
		return nil, err
	}
	r, err := readLog(s.LogPath(key))
	if errors.Is(err, os.ErrNotExist) {
		return nil, runway.Errorf(runway.ENOTFOUND, "no logs for %s: it has not run on this machine", key)
	}
	return r, err
}

// StopAll stops every supervised process.
func (s *Supervisor) StopAll(ctx context.Context) error {
	var wg sync.WaitGroup
	errs := make([]error, 0)
	var mu sync.Mutex
	for _, p := range s.Processes() {
		wg.Go(func() {
			if err := p.Stop(ctx); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// Close stops supervising without stopping the processes: they keep
// running, recorded in their state files, for the next Supervisor to Adopt
// or Reap. Their output waits in a pipe meanwhile (up to 1 MiB each). It
// returns once every process is detached, and releases the data
// directory. Call StopAll first to stop them.
func (s *Supervisor) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	procs := make([]*Process, 0, len(s.procs))
	for _, p := range s.procs {
		procs = append(procs, p)
	}
	s.mu.Unlock()
	for _, p := range procs {
		p.detach()
	}
	for _, p := range procs {
		<-p.done
	}
	return s.lock.Close()
}

// register records p under its key, unless the key is taken.
func (s *Supervisor) register(p *Process) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return runway.Errorf(runway.EUNAVAILABLE, "the supervisor is closed")
	}
	if _, taken := s.procs[p.key]; taken {
		return runway.Errorf(runway.ECONFLICT, "%s is already running: stop it first", p.key)
	}
	s.procs[p.key] = p
	return nil
}

func (s *Supervisor) forget(p *Process) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.procs[p.key] == p {
		delete(s.procs, p.key)
	}
}
