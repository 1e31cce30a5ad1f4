package supervisor

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/runwayhq/runway"
)

// fakeCgroupRoot makes a folder shaped like a delegated cgroup v2
// directory. This machine (a hybrid cgroup v1/v2 hierarchy) cannot give a
// real one, so these tests check what the supervisor writes, not what the
// kernel enforces (docs/runtime-isolation.md).
func fakeCgroupRoot(t *testing.T, controllers string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range map[string]string{
		"cgroup.controllers":     controllers,
		"cgroup.subtree_control": "",
		"cgroup.procs":           "",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestCgroupRootChecks(t *testing.T) {
	t.Parallel()
	if _, reason := openCgroupRoot(fakeCgroupRoot(t, "hugetlb"), false); !strings.Contains(reason, "hybrid") {
		t.Errorf("no controllers: %q", reason)
	}
	dir := fakeCgroupRoot(t, "cpuset cpu io memory pids")
	root, reason := openCgroupRoot(dir, false)
	if root == nil {
		t.Fatal(reason)
	}
	if got := readString(filepath.Join(dir, "cgroup.subtree_control")); got != "+cpu +memory +pids" {
		t.Errorf("subtree_control = %q", got)
	}
	if _, reason := openCgroupRoot(t.TempDir(), true); !strings.Contains(reason, "not on a cgroup v2 file system") {
		t.Errorf("plain folder: %q", reason)
	}
	if _, reason := detectCgroup("off"); reason == "" {
		t.Error("off: no reason")
	}
	root, reason = detectCgroup("auto")
	t.Logf("this machine: cgroup %v, reason %q", root, reason)
	if root == nil && reason == "" {
		t.Error("auto: neither a cgroup nor a reason")
	}
}

func TestCgroupLimitsWritten(t *testing.T) {
	t.Parallel()
	root, reason := openCgroupRoot(fakeCgroupRoot(t, "cpu memory pids"), false)
	if root == nil {
		t.Fatal(reason)
	}
	c, err := root.create("runway-app.sandbox.1", Limits{MemoryBytes: 256 << 20, CPUMillis: 500, Processes: 64})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"memory.max": "268435456", "memory.swap.max": "0", "memory.oom.group": "1",
		"cpu.max": "50000 100000", "pids.max": "64",
	}
	for file, v := range want {
		if got := readString(filepath.Join(c.dir, file)); got != v {
			t.Errorf("%s = %q, want %q", file, got, v)
		}
	}
	c2, err := root.create("runway-app.sandbox.2", Limits{})
	if err != nil {
		t.Fatal(err)
	}
	for file, v := range map[string]string{"memory.max": "max", "cpu.max": "max 100000", "pids.max": "max"} {
		if got := readString(filepath.Join(c2.dir, file)); got != v {
			t.Errorf("no limits: %s = %q, want %q", file, got, v)
		}
	}
}

// TestStartInCgroup: with a cgroup, the gate is moved into the process's
// cgroup before the command runs, the state file names the cgroup, and the
// status reports cgroup enforcement.
func TestStartInCgroup(t *testing.T) {
	t.Parallel()
	s, err := New(Options{DataDir: t.TempDir(), StopGrace: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	root, reason := openCgroupRoot(fakeCgroupRoot(t, "cpu memory pids"), false)
	if root == nil {
		t.Fatal(reason)
	}
	s.cg = root
	p, err := s.Start(context.Background(), Spec{App: "app", Environment: runway.EnvSandbox, Version: "1",
		Dir: t.TempDir(), Command: "sleep 300", Limits: Limits{MemoryBytes: 128 << 20, CPUMillis: 250}})
	if err != nil {
		t.Fatal(err)
	}
	st := p.Status()
	cgDir := filepath.Join(root.dir, "runway-app.sandbox.1")
	if got := readString(filepath.Join(cgDir, "cgroup.procs")); got != strconv.Itoa(st.PID) {
		t.Errorf("cgroup.procs = %q, want the gate %d", got, st.PID)
	}
	rec, err := s.readRecord(p.Key())
	if err != nil || rec.Cgroup != cgDir {
		t.Errorf("state: %+v, %v", rec, err)
	}
	for _, e := range st.Limits {
		if e.Resource == "memory" && e.Mechanism != "cgroup v2 memory.max (swap off)" ||
			e.Resource == "cpu" && e.Mechanism != "cgroup v2 cpu.max" {
			t.Errorf("%s: %+v", e.Resource, e)
		}
	}
	if err := p.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestConfine: who can lift which limit, for each way apps can run.
func TestConfine(t *testing.T) {
	t.Parallel()
	l := Limits{MemoryBytes: 64 << 20, CPUMillis: 100, Processes: 10, OpenFiles: 100}
	tests := []struct {
		name             string
		cgroup           bool
		app, runway      int
		rootCanRaise     bool
		hard, unenforced []string
	}{
		{"rlimits, all root", false, 0, 0, true, nil, []string{"cpu", "processes"}},
		{"rlimits, root without CAP_SYS_RESOURCE", false, 0, 0, false, []string{"core_dumps", "memory", "open_files"}, []string{"cpu", "processes"}},
		{"rlimits, app user", false, 1000, 0, true, []string{"core_dumps", "memory", "processes", "open_files"}, []string{"cpu"}},
		{"rlimits, same unprivileged user", false, 1000, 1000, true, []string{"core_dumps", "memory", "open_files"}, []string{"cpu", "processes"}},
		{"cgroup, same unprivileged user", true, 1000, 1000, true, []string{"core_dumps", "open_files"}, nil},
		{"cgroup, app user", true, 1001, 1000, true, []string{"core_dumps", "memory", "cpu", "processes", "open_files"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := confine(l, tt.cgroup, tt.app, tt.runway, tt.rootCanRaise)
			var hard, unenforced []string
			for _, e := range c.report {
				if e.Mechanism == "" {
					unenforced = append(unenforced, e.Resource)
				} else if e.Hard {
					hard = append(hard, e.Resource)
				}
				if e.Mechanism != "" && !e.Hard && e.Note == "" {
					t.Errorf("%s is soft without a note", e.Resource)
				}
			}
			if strings.Join(hard, ",") != strings.Join(tt.hard, ",") || strings.Join(unenforced, ",") != strings.Join(tt.unenforced, ",") {
				t.Errorf("hard %v (want %v), not enforced %v (want %v)", hard, tt.hard, unenforced, tt.unenforced)
			}
		})
	}
}
