package supervisor_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/supervisor"
)

// writeTree writes files (path → content; a content starting with "->"
// makes a symbolic link) under dir.
func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for path, content := range files {
		full := filepath.Join(dir, path)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if target, ok := strings.CutPrefix(content, "->"); ok {
			if err := os.Symlink(target, full); err != nil {
				t.Fatal(err)
			}
			continue
		}
		mode := os.FileMode(0o644)
		if strings.HasSuffix(path, ".sh") {
			mode = 0o755
		}
		if err := os.WriteFile(full, []byte(content), mode); err != nil {
			t.Fatal(err)
		}
	}
}

func appSource(t *testing.T) string {
	src := t.TempDir()
	writeTree(t, src, map[string]string{
		"runway.yaml":                 "name: expense-approvals\n",
		"package.json":                `{"name":"expense-approvals"}`,
		"app/server.js":               "console.log('hi')\n",
		"scripts/start.sh":            "#!/bin/sh\nexec node app/server.js\n",
		"index.js":                    "->app/server.js",
		".git/HEAD":                   "ref: refs/heads/main\n",
		"node_modules/stale/index.js": "old\n",
		".runway/report.json":         "{}",
	})
	return src
}

// TestBuild: the source is copied without .git, node_modules and .runway;
// the build command runs in the copy; both digests are recorded; a second
// Build of the same version is reused.
func TestBuild(t *testing.T) {
	t.Parallel()
	s := newSupervisor(t)
	src := appSource(t)
	spec := supervisor.BuildSpec{App: "expense-approvals", Version: "7", Source: src,
		Command: `mkdir -p node_modules/left-pad && echo 'module.exports = 1' > node_modules/left-pad/index.js && env | sort > build-env.txt && echo installed`}
	b, err := s.Build(context.Background(), spec)
	if err != nil {
		t.Fatalf("%v\n%s", err, b.LogTail)
	}
	for _, want := range []string{"app/server.js", "scripts/start.sh", "index.js", "node_modules/left-pad/index.js"} {
		if _, err := os.Lstat(filepath.Join(b.Dir, want)); err != nil {
			t.Errorf("build lacks %s: %v", want, err)
		}
	}
	for _, absent := range []string{".git", ".runway", "node_modules/stale"} {
		if _, err := os.Lstat(filepath.Join(b.Dir, absent)); err == nil {
			t.Errorf("build holds %s", absent)
		}
	}
	if st, _ := os.Stat(filepath.Join(b.Dir, "scripts/start.sh")); st.Mode().Perm()&0o100 == 0 {
		t.Error("the execute bit was lost")
	}
	if link, _ := os.Readlink(filepath.Join(b.Dir, "index.js")); link != "app/server.js" {
		t.Errorf("symbolic link copied as %q", link)
	}
	srcDigest, _ := supervisor.TreeDigest(src, supervisor.SourceExcludes)
	artifact, _ := supervisor.TreeDigest(b.Dir, nil)
	if b.SourceDigest != srcDigest || b.Digest != artifact || b.Digest == b.SourceDigest || !strings.HasPrefix(b.Digest, "sha256:") {
		t.Errorf("digests: source %s (want %s), artifact %s (want %s)", b.SourceDigest, srcDigest, b.Digest, artifact)
	}
	if out := appOutput(readFile(t, b.Log)); !strings.Contains(out, "installed") {
		t.Errorf("build log:\n%s", readFile(t, b.Log))
	}
	// The build's environment is clean: no secrets, nothing of Runway's.
	var names []string
	for _, line := range strings.Split(strings.TrimSpace(readFile(t, filepath.Join(b.Dir, "build-env.txt"))), "\n") {
		name, _, _ := strings.Cut(line, "=")
		names = append(names, name)
	}
	if want := []string{"CI", "HOME", "LANG", "PATH", "PWD"}; !slices.Equal(names, want) {
		t.Errorf("build environment %v, want %v", names, want)
	}

	again, err := s.Build(context.Background(), spec)
	if err != nil || !again.Reused || again.Digest != b.Digest || again.Dir != b.Dir {
		t.Errorf("second Build: %+v, %v", again, err)
	}
	writeTree(t, src, map[string]string{"app/extra.js": "x\n"})
	if _, err := s.Build(context.Background(), spec); runway.ErrorCode(err) != runway.ECONFLICT {
		t.Errorf("same version, other source: %v, want a conflict", err)
	}
	if err := s.RemoveBuild("expense-approvals", "7"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(b.Dir); err == nil {
		t.Error("RemoveBuild left the build")
	}
}

// TestBuildFailure: a failing build command is an invalid-input error with
// the end of its log; nothing is kept but the log.
func TestBuildFailure(t *testing.T) {
	t.Parallel()
	s := newSupervisor(t)
	b, err := s.Build(context.Background(), supervisor.BuildSpec{App: "broken", Version: "1", Source: appSource(t),
		Command: "echo 'npm ERR! missing script: build' >&2; exit 1"})
	if runway.ErrorCode(err) != runway.EINVALID || !strings.Contains(err.Error(), "failed (exited with code 1)") {
		t.Fatalf("Build: %v", err)
	}
	if b.ExitCode != 1 || !strings.Contains(b.LogTail, "npm ERR! missing script: build") {
		t.Errorf("build: exit %d, tail:\n%s", b.ExitCode, b.LogTail)
	}
	r, err := s.Logs(supervisor.Key{App: "broken", Environment: "build", Version: "1"})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if log, _ := io.ReadAll(r); !strings.Contains(string(log), "npm ERR!") {
		t.Errorf("build log:\n%s", log)
	}
}

// TestBuildTimeout: a build that outlives its timeout is stopped, with
// whatever it started in the background.
func TestBuildTimeout(t *testing.T) {
	t.Parallel()
	s := newSupervisor(t)
	src := appSource(t)
	began := time.Now()
	b, err := s.Build(context.Background(), supervisor.BuildSpec{App: "slow", Version: "1", Source: src,
		Command: "sleep 300 & echo $! > " + filepath.Join(src, "bg.pid") + "; sleep 301", Timeout: 300 * time.Millisecond})
	if runway.ErrorCode(err) != runway.EINVALID || !strings.Contains(err.Error(), "did not finish within 300ms") {
		t.Fatalf("Build: %v", err)
	}
	if took := time.Since(began); took > 3*time.Second {
		t.Errorf("the timeout took %s", took)
	}
	waitGone(t, readPIDs(t, filepath.Join(src, "bg.pid"))...)
	if !strings.Contains(readFile(t, b.Log), "stopped after 300ms") {
		t.Errorf("log:\n%s", readFile(t, b.Log))
	}
}

// TestTreeDigest: the digest covers paths, contents, the execute bit and
// link targets, and nothing else (order of creation, empty folders,
// excluded folders).
func TestTreeDigest(t *testing.T) {
	t.Parallel()
	one := t.TempDir()
	writeTree(t, one, map[string]string{"a": "hi\n"})
	sum := sha256.Sum256([]byte("hi\n"))
	manifest := "file 644 " + hex.EncodeToString(sum[:]) + " a\n"
	want := sha256.Sum256([]byte(manifest))
	if got, _ := supervisor.TreeDigest(one, nil); got != "sha256:"+hex.EncodeToString(want[:]) {
		t.Errorf("digest of one file %s, want sha256 of %q", got, manifest)
	}

	files := map[string]string{"a/b.js": "1", "a-b.js": "2", "run.sh": "3", "link": "->a/b.js"}
	base := t.TempDir()
	writeTree(t, base, files)
	digest := func(t *testing.T, change func(dir string), exclude ...string) string {
		dir := t.TempDir()
		writeTree(t, dir, files)
		change(dir)
		d, err := supervisor.TreeDigest(dir, exclude)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	same, _ := supervisor.TreeDigest(base, nil)
	tests := []struct {
		name    string
		change  func(dir string)
		exclude []string
		equal   bool
	}{
		{"identical", func(string) {}, nil, true},
		{"empty folder", func(d string) { os.Mkdir(filepath.Join(d, "empty"), 0o755) }, nil, true},
		{"new mtime", func(d string) { os.Chtimes(filepath.Join(d, "run.sh"), time.Now(), time.Unix(1, 0)) }, nil, true},
		{"excluded folder", func(d string) { writeTree(t, d, map[string]string{"node_modules/x.js": "x"}) }, []string{"node_modules"}, true},
		{"content", func(d string) { os.WriteFile(filepath.Join(d, "a/b.js"), []byte("9"), 0o644) }, nil, false},
		{"execute bit", func(d string) { os.Chmod(filepath.Join(d, "a-b.js"), 0o755) }, nil, false},
		{"rename", func(d string) { os.Rename(filepath.Join(d, "a-b.js"), filepath.Join(d, "a-c.js")) }, nil, false},
		{"link target", func(d string) { os.Remove(filepath.Join(d, "link")); os.Symlink("run.sh", filepath.Join(d, "link")) }, nil, false},
		{"included node_modules", func(d string) { writeTree(t, d, map[string]string{"node_modules/x.js": "x"}) }, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := digest(t, tt.change, tt.exclude...); (got == same) != tt.equal {
				t.Errorf("digest %s vs %s: equal=%v, want %v", got, same, got == same, tt.equal)
			}
		})
	}
}
