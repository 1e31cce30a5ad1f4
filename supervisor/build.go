package supervisor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/runwayhq/runway"
)

// BuildSpec says how to build one version of an app.
type BuildSpec struct {
	App     string
	Version string
	// Source is the app's folder, such as a checkout of the candidate. It
	// is copied (without SourceExcludes) and never changed.
	Source string
	// Command is the manifest's run.build (npm ci...), run with sh -c in
	// the copy; empty only copies.
	Command string
	// Vars are extra environment variables. Builds get no secrets: those
	// reach apps at run time only.
	Vars map[string]string
	// Timeout bounds the build command (default 10m).
	Timeout time.Duration
	Limits  Limits
}

// Build is a built version of an app, ready to run from Dir.
type Build struct {
	App     string `json:"app"`
	Version string `json:"version"`
	// Dir is the built tree; run the app from here.
	Dir string `json:"dir"`
	// SourceDigest is the TreeDigest of the source as copied, without
	// SourceExcludes: what CI can compute from a checkout to prove which
	// source this is.
	SourceDigest string `json:"source_digest"`
	// Digest is the artifact's digest: the TreeDigest of Dir after the
	// build, everything included (node_modules too), because that is what
	// runs.
	Digest    string        `json:"digest"`
	Command   string        `json:"command,omitempty"`
	StartedAt time.Time     `json:"started_at"`
	Duration  time.Duration `json:"duration"`
	// Log is the build's log file (secrets never reach builds).
	Log string `json:"log"`
	// Reused is true when this version had been built already.
	Reused bool `json:"-"`
	// ExitCode is the build command's exit code (-1 when it was killed).
	ExitCode int `json:"exit_code"`
	// LogTail is the end of the log when the build failed.
	LogTail string `json:"-"`
}

// Build builds spec's version in a fresh work folder: it copies the source
// there, runs the build command in the copy (in its own process group,
// with the limits, a clean environment and a timeout, its output in the
// build log), then records the digests. A version that was built already
// is returned as it is (Reused) when its source is unchanged; ECONFLICT
// when the same version now has different source. A failing build returns
// the Build (with its log) and an EINVALID error; ECONFLICT when the same
// version is being built already.
func (s *Supervisor) Build(ctx context.Context, spec BuildSpec) (*Build, error) {
	key := Key{App: spec.App, Environment: buildEnvironment, Version: spec.Version}
	if err := (Key{App: spec.App, Environment: "sandbox", Version: spec.Version}).validate(); err != nil {
		return nil, err
	}
	if err := errors.Join(validateVars(spec.Vars, "variable"), spec.Limits.validate()); err != nil {
		return nil, err
	}
	if st, err := os.Stat(spec.Source); err != nil || !st.IsDir() {
		return nil, runway.Errorf(runway.EINVALID, "the source folder %s does not exist", spec.Source)
	}
	if !s.claimBuild(key) {
		return nil, runway.Errorf(runway.ECONFLICT, "%s %s is being built already", spec.App, spec.Version)
	}
	defer s.releaseBuild(key)

	srcDigest, err := TreeDigest(spec.Source, SourceExcludes)
	if err != nil {
		return nil, fmt.Errorf("digest the source of %s: %w", spec.App, err)
	}
	final := s.buildDir(spec.App, spec.Version)
	if b, err := readBuild(final); err == nil {
		if b.SourceDigest != srcDigest {
			return nil, runway.Errorf(runway.ECONFLICT, "%s %s was built before from other source (%s, now %s): a version's source cannot change",
				spec.App, spec.Version, b.SourceDigest, srcDigest)
		}
		b.Reused = true
		return b, nil
	}
	work := s.partialBuildDir(spec.App, spec.Version)
	if err := os.RemoveAll(work); err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)
	b := &Build{App: spec.App, Version: spec.Version, Command: spec.Command, StartedAt: s.now(), Log: s.LogPath(key)}
	if err := s.prepareWork(work, spec.Source); err != nil {
		return nil, fmt.Errorf("copy the source of %s: %w", spec.App, err)
	}
	if b.SourceDigest, err = TreeDigest(filepath.Join(work, "app"), nil); err != nil {
		return nil, err
	}
	if b.SourceDigest != srcDigest {
		return nil, runway.Errorf(runway.ECONFLICT, "the source of %s changed while it was copied: build again", spec.App)
	}
	if strings.TrimSpace(spec.Command) != "" {
		if err := s.runBuild(ctx, key, spec, work, b); err != nil {
			return b, err
		}
	}
	if err := errors.Join(os.RemoveAll(filepath.Join(work, "home")), s.seal(filepath.Join(work, "app"))); err != nil {
		return b, fmt.Errorf("keep the build of %s: %w", spec.App, err)
	}
	if b.Digest, err = TreeDigest(filepath.Join(work, "app"), nil); err != nil {
		return b, fmt.Errorf("digest the build of %s: %w", spec.App, err)
	}
	b.Duration = s.now().Sub(b.StartedAt)
	b.Dir = filepath.Join(final, "app")
	if err := writeBuild(work, b); err != nil {
		return b, err
	}
	if err := os.Rename(work, final); err != nil {
		return b, fmt.Errorf("keep the build of %s: %w", spec.App, err)
	}
	return b, syncDir(filepath.Dir(final))
}

// prepareWork makes the work folder: the copy of the source and a home
// for the build, both given to the user apps run as (the work folder
// itself, where build.json goes, stays Runway's).
func (s *Supervisor) prepareWork(work, source string) error {
	if err := os.MkdirAll(work, s.dirMode); err != nil {
		return err
	}
	if err := os.Chmod(work, s.dirMode); err != nil {
		return err
	}
	if err := os.Mkdir(filepath.Join(work, "home"), 0o700); err != nil {
		return err
	}
	if err := copyTree(source, filepath.Join(work, "app"), SourceExcludes); err != nil {
		return err
	}
	return errors.Join(s.chown(filepath.Join(work, "app")), s.chown(filepath.Join(work, "home")))
}

// seal gives a finished build back to Runway's user, readable by all: an
// app running as another user can read its code but not change it, so
// what runs stays what the digest says.
func (s *Supervisor) seal(dir string) error {
	if s.opts.RunAs == nil {
		return nil
	}
	uid, gid := os.Geteuid(), os.Getegid()
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := os.Lchown(path, uid, gid); err != nil {
			return err
		}
		if d.Type()&fs.ModeSymlink != 0 {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		add := fs.FileMode(0o444)
		if d.IsDir() || info.Mode().Perm()&0o111 != 0 {
			add |= 0o111
		}
		return os.Chmod(path, (info.Mode().Perm()|add)&^0o022)
	})
}

// runBuild runs the build command in work/app and waits for it.
func (s *Supervisor) runBuild(ctx context.Context, key Key, spec BuildSpec, work string, b *Build) error {
	timeout := orDefault(spec.Timeout, 10*time.Minute)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	log, err := openLog(b.Log, s.opts.LogMaxBytes, s.now)
	if err != nil {
		return err
	}
	defer log.Close()
	env := map[string]string{"PATH": s.opts.Path, "HOME": filepath.Join(work, "home"), "LANG": "C.UTF-8", "CI": "true"}
	for k, v := range spec.Vars {
		env[k] = v
	}
	log.event("build %s %s: `%s`", spec.App, spec.Version, spec.Command)
	a, err := s.launch(&launchSpec{key: key, dir: filepath.Join(work, "app"), command: spec.Command,
		env: environList(env), limits: spec.Limits, log: log, redactor: NewRedactor(nil)})
	if err != nil {
		log.event("could not start: %v", err)
		return err
	}
	timedOut := false
	select {
	case <-a.exited:
	case <-ctx.Done():
		timedOut = true
		log.event("stopping the build: %v", context.Cause(ctx))
		a.group.signal(syscall.SIGTERM)
		select {
		case <-a.exited:
		case <-time.After(s.opts.StopGrace):
			a.group.kill()
			<-a.exited
		}
	}
	// Whatever the build left running in the background goes too.
	a.group.drain(s.opts.StopGrace, timedOut)
	a.reap()
	if a.group.cg != nil {
		a.group.cg.remove()
	}
	a.closeOutput()
	os.RemoveAll(s.runDir(key))
	code, signal := a.exitStatus()
	b.ExitCode, b.Duration = code, s.now().Sub(b.StartedAt)
	switch {
	case timedOut && ctx.Err() == context.DeadlineExceeded:
		log.event("stopped after %s", timeout)
		b.LogTail = tail(b.Log, 30)
		return runway.Errorf(runway.EINVALID, "the build command `%s` did not finish within %s and was stopped: see the build log %s", spec.Command, timeout, b.Log)
	case timedOut:
		return &runway.Error{Code: runway.EUNAVAILABLE, Message: "the build was cancelled", Err: ctx.Err()}
	case code != 0:
		ex := Exit{Code: code, Signal: signal}
		reason := exitReason(ex, "", 0, spec.Limits, false)
		log.event("failed: %s", reason)
		b.LogTail = tail(b.Log, 30)
		return runway.Errorf(runway.EINVALID, "the build command `%s` failed (%s): see the build log %s", spec.Command, reason, b.Log)
	}
	log.event("done in %s", b.Duration.Round(time.Millisecond))
	return nil
}

func readBuild(dir string) (*Build, error) {
	data, err := os.ReadFile(filepath.Join(dir, "build.json"))
	if err != nil {
		return nil, err
	}
	var b Build
	if err := json.Unmarshal(data, &b); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, "build.json"), err)
	}
	return &b, nil
}

func writeBuild(dir string, b *Build) error {
	data, err := json.MarshalIndent(b, "", "  ")
	if err != nil {
		return err
	}
	f, err := os.OpenFile(filepath.Join(dir, "build.json"), os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(append(data, '\n'))
	return errors.Join(err, f.Sync(), f.Close())
}

// RemoveBuild deletes a built version. ECONFLICT while a supervised
// process runs from it.
func (s *Supervisor) RemoveBuild(app, version string) error {
	dir := s.buildDir(app, version)
	if err := (Key{App: app, Environment: "sandbox", Version: version}).validate(); err != nil {
		return err
	}
	for _, p := range s.Processes() {
		if rel, err := filepath.Rel(dir, p.spec.Dir); err == nil && filepath.IsLocal(rel) {
			return runway.Errorf(runway.ECONFLICT, "%s runs from the build %s %s: stop it first", p.key, app, version)
		}
	}
	return os.RemoveAll(dir)
}

func (s *Supervisor) claimBuild(key Key) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.building == nil {
		s.building = map[Key]bool{}
	}
	if s.building[key] {
		return false
	}
	s.building[key] = true
	return true
}

func (s *Supervisor) releaseBuild(key Key) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.building, key)
}

// chown gives the tree at dir to the user apps run as.
func (s *Supervisor) chown(dir string) error {
	c := s.opts.RunAs
	if c == nil {
		return nil
	}
	return filepath.WalkDir(dir, func(path string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(path, int(c.UID), int(c.GID))
	})
}
