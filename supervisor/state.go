package supervisor

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// record is a process's state file, run/APP/ENV/VERSION/state.json. It is
// written (and synced) before the app's command may start, so a process
// can never run without one; it is removed once the process is gone.
type record struct {
	Key
	PID        int       `json:"pid"`
	PGID       int       `json:"pgid"`
	StartTicks uint64    `json:"start_ticks"` // with BootID and PID, names the process uniquely
	BootID     string    `json:"boot_id"`
	Port       int       `json:"port,omitempty"`
	Cgroup     string    `json:"cgroup,omitempty"`
	StartedAt  time.Time `json:"started_at"`
	// Fingerprint is an HMAC of everything the process was started with
	// (secrets included), so that Adopt keeps it only for an identical
	// spec; the key stays in the data directory.
	Fingerprint string `json:"fingerprint,omitempty"`
	Supervisor  int    `json:"supervisor_pid"`
}

// buildEnvironment is the Environment of builds in state files and paths.
const buildEnvironment = "build"

func (s *Supervisor) runDir(key Key) string {
	return filepath.Join(s.opts.DataDir, "run", key.App, string(key.Environment), key.Version)
}

// homeDir is the HOME of the process key.
func (s *Supervisor) homeDir(key Key) string {
	return filepath.Join(s.opts.AppsDir, "home", key.App, string(key.Environment), key.Version)
}

// buildDir is where the version of app is kept once built.
func (s *Supervisor) buildDir(app, version string) string {
	return filepath.Join(s.opts.AppsDir, "builds", app, version)
}

// partialBuildDir is where the version of app is being built.
func (s *Supervisor) partialBuildDir(app, version string) string {
	return filepath.Join(s.opts.AppsDir, "builds", app, "."+version+".partial")
}

func (s *Supervisor) writeRecord(rec *record) error {
	b, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return err
	}
	dir := s.runDir(rec.Key)
	tmp := filepath.Join(dir, "state.json.tmp")
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(append(b, '\n'))
	if err = errors.Join(err, f.Sync(), f.Close()); err != nil {
		return fmt.Errorf("write state of %s: %w", rec.Key, err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, "state.json")); err != nil {
		return fmt.Errorf("write state of %s: %w", rec.Key, err)
	}
	return syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	return errors.Join(d.Sync(), d.Close())
}

func (s *Supervisor) readRecord(key Key) (*record, error) {
	b, err := os.ReadFile(filepath.Join(s.runDir(key), "state.json"))
	if err != nil {
		return nil, err
	}
	var rec record
	if err := json.Unmarshal(b, &rec); err != nil {
		return nil, fmt.Errorf("state of %s: %w", key, err)
	}
	return &rec, nil
}

// records lists every state file under run/.
func (s *Supervisor) records() ([]*record, error) {
	paths, err := filepath.Glob(filepath.Join(s.opts.DataDir, "run", "*", "*", "*", "state.json"))
	if err != nil {
		return nil, err
	}
	var recs []*record
	for _, path := range paths {
		var rec record
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal(b, &rec); err != nil {
			// A state file is written whole (renamed into place), so a
			// corrupt one was not written by us: leave it for a person.
			s.log.Warn("unreadable state file", "path", path, "err", err)
			continue
		}
		recs = append(recs, &rec)
	}
	return recs, nil
}

// alive reports whether the process the record names is still running.
func (rec *record) alive() bool {
	if rec.BootID != bootID() {
		return false
	}
	info, err := readProc(rec.PID)
	return err == nil && !info.zombie && info.start == rec.StartTicks
}

// group returns the record's process tree. Without a live leader, the
// process group id is used only while nothing else has taken its number:
// Linux keeps it from being reused while any member is left, so members
// found then are the app's.
func (rec *record) group() group {
	g := group{pgid: rec.PGID}
	if rec.BootID != bootID() {
		g.pgid = 0
	} else if !rec.alive() {
		if info, err := readProc(rec.PGID); err == nil && !info.zombie && info.start != rec.StartTicks {
			g.pgid = 0 // the number now names another process
		}
	}
	if rec.Cgroup != "" {
		if _, err := os.Stat(rec.Cgroup); err == nil {
			g.cg = openCgroup(rec.Cgroup)
		}
	}
	return g
}

// Leftover is a process that Reap found from a previous run.
type Leftover struct {
	Key
	PID int `json:"pid"`
	// Running is true when the process was still running (and has been
	// stopped); false when only its state file was left.
	Running bool `json:"running"`
}

// Reap stops every process left by a previous run that this Supervisor
// does not supervise (call Adopt first for those to keep), by process
// group and cgroup, SIGTERM then SIGKILL, and removes their state. Builds
// interrupted by the restart are stopped too. It returns what it found.
func (s *Supervisor) Reap(ctx context.Context) ([]Leftover, error) {
	recs, err := s.records()
	if err != nil {
		return nil, err
	}
	var found []Leftover
	var errs []error
	for _, rec := range recs {
		if _, ours := s.Find(rec.Key); ours {
			continue
		}
		if ctx.Err() != nil {
			return found, ctx.Err()
		}
		running := rec.alive()
		s.killLeftover(rec)
		leftovers := []string{s.runDir(rec.Key), s.homeDir(rec.Key)}
		if rec.Environment == buildEnvironment {
			leftovers = []string{s.runDir(rec.Key), s.partialBuildDir(rec.App, rec.Version)}
		}
		for _, dir := range leftovers {
			if err := os.RemoveAll(dir); err != nil {
				errs = append(errs, err)
			}
		}
		found = append(found, Leftover{Key: rec.Key, PID: rec.PID, Running: running})
		s.log.Info("reaped a process left by a previous run", "key", rec.Key.String(), "pid", rec.PID, "was_running", running)
		if rec.Environment != buildEnvironment {
			if l, err := openLog(s.LogPath(rec.Key), s.opts.LogMaxBytes, s.now); err == nil {
				l.event("stopped process %d, left running by a previous run of Runway", rec.PID)
				l.Close()
			}
		}
	}
	return found, errors.Join(errs...)
}

// killLeftover stops what is left of a recorded process tree.
func (s *Supervisor) killLeftover(rec *record) {
	g := rec.group()
	g.drain(s.opts.StopGrace, false)
	if g.cg != nil {
		g.cg.kill()
		if err := g.cg.remove(); err != nil {
			s.log.Warn("leftover cgroup", "key", rec.Key.String(), "err", err)
		}
	}
}

// fingerprint returns an HMAC of what a process is started with, keyed by
// a random key kept in the data directory (so that the state file reveals
// nothing about the secrets).
func (s *Supervisor) fingerprint(spec *Spec) (string, error) {
	path := filepath.Join(s.opts.DataDir, "run", "fingerprint.key")
	key, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		key = make([]byte, 32)
		rand.Read(key)
		if err = os.WriteFile(path, key, 0o600); err != nil {
			return "", err
		}
	} else if err != nil {
		return "", err
	}
	b, err := json.Marshal(struct {
		Dir, Command, OFREP, Path string
		Vars, Secrets             map[string]string
		Port                      int
		Limits                    Limits
		RunAs                     *Credential
	}{spec.Dir, spec.Command, spec.OFREPEndpoint, s.opts.Path, spec.Vars, spec.Secrets, spec.Port, spec.Limits, s.opts.RunAs})
	if err != nil {
		return "", err
	}
	mac := hmac.New(sha256.New, key)
	mac.Write(b)
	return hex.EncodeToString(mac.Sum(nil)), nil
}
