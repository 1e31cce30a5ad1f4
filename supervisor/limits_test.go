package supervisor_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/supervisor"
)

// TestIsolationOnThisMachine records which mechanism this machine gives
// the supervisor (the evidence behind docs/runtime-isolation.md).
func TestIsolationOnThisMachine(t *testing.T) {
	t.Parallel()
	iso := newSupervisor(t).Isolation()
	if iso.Cgroup == "" && iso.Reason == "" {
		t.Fatal("no cgroup and no reason why")
	}
	t.Logf("cgroup: %q; reason: %s", iso.Cgroup, iso.Reason)
}

// mechanism returns how the status says resource is enforced.
func mechanism(st supervisor.Status, resource string) supervisor.Enforcement {
	for _, e := range st.Limits {
		if e.Resource == resource {
			return e
		}
	}
	return supervisor.Enforcement{}
}

// TestMemoryLimit: an app allocating beyond its memory limit fails (a Go
// and, when installed, a Node.js app); one within it runs.
func TestMemoryLimit(t *testing.T) {
	t.Parallel()
	s := newSupervisor(t)
	// Go reserves about 100 MiB of address space at start, which
	// RLIMIT_DATA counts: 256 MiB lets it start.
	limits := supervisor.Limits{MemoryBytes: 256 << 20}
	hog := func(version, command string) supervisor.Status {
		p := start(t, s, supervisor.Spec{App: "hog", Environment: runway.EnvSandbox, Version: version, Dir: t.TempDir(),
			Command: command, Vars: map[string]string{"HELPER": helperPath(t)}, Limits: limits})
		return waitFor(t, p, "an exit", func(st supervisor.Status) bool { return st.LastExit != nil })
	}
	if raceEnabled {
		t.Log("race detector: the Go hog is skipped (its shadow memory exceeds the limit)")
	} else {
		within := hog("within", `exec "$HELPER" helper alloc 64`)
		if out := appOutput(readFile(t, within.Log)); within.LastExit.Code != 0 || !strings.Contains(out, "allocated 64 MiB") {
			t.Errorf("64 MiB under a 256 MiB limit: %+v\n%s", within.LastExit, out)
		}
		beyond := hog("beyond", `exec "$HELPER" helper alloc 1024`)
		out := appOutput(readFile(t, beyond.Log))
		if beyond.LastExit.Code == 0 || strings.Contains(out, "allocated") || !strings.Contains(out+beyond.LastExit.Reason, "out of memory") {
			t.Errorf("1 GiB under a 256 MiB limit: %+v\n%s", beyond.LastExit, out)
		}
		e := mechanism(beyond, "memory")
		if want := map[bool]string{true: "cgroup v2 memory.max (swap off)", false: "RLIMIT_DATA"}[s.Isolation().Cgroup != ""]; e.Mechanism != want {
			t.Errorf("memory enforced by %q, want %q", e.Mechanism, want)
		}
		t.Logf("memory: %+v; exit: %s", e, beyond.LastExit.Reason)
	}
	if _, err := exec.LookPath("node"); err == nil {
		node := hog("node", `exec node -e 'const a = []; for (;;) a.push(Buffer.alloc(1 << 20, 1))'`)
		if node.LastExit.Code == 0 {
			t.Errorf("a Node.js app was not stopped by the limit: %+v", node.LastExit)
		}
		t.Logf("node: %s", node.LastExit.Reason)
	}
}

// TestOpenFilesLimit: an app cannot hold more descriptors than its limit.
func TestOpenFilesLimit(t *testing.T) {
	t.Parallel()
	s := newSupervisor(t)
	p := start(t, s, supervisor.Spec{App: "fds", Environment: runway.EnvSandbox, Version: "1", Dir: t.TempDir(),
		Command: `exec "$HELPER" helper openfiles 100`, Vars: map[string]string{"HELPER": helperPath(t)},
		Limits: supervisor.Limits{OpenFiles: 32}})
	st := waitFor(t, p, "an exit", func(st supervisor.Status) bool { return st.LastExit != nil })
	out := appOutput(readFile(t, st.Log))
	if st.LastExit.Code != 4 || !strings.Contains(out, "too many open files") {
		t.Errorf("exit %+v\n%s", st.LastExit, out)
	}
	if e := mechanism(st, "open_files"); e.Mechanism != "RLIMIT_NOFILE" || e.Limit != "32" {
		t.Errorf("open files: %+v", e)
	}
}

// TestRunAsMakesLimitsHard: run as root, an app can lift its own rlimits;
// run as a user of its own, it cannot, and the process limit holds.
func TestRunAsMakesLimitsHard(t *testing.T) {
	t.Parallel()
	if os.Geteuid() != 0 {
		t.Skip("running apps as another user needs root")
	}
	spec := supervisor.Spec{App: "sneaky", Environment: runway.EnvSandbox, Version: "1", Dir: "/",
		Limits: supervisor.Limits{OpenFiles: 64, Processes: 10},
		// No fork before the loop: RLIMIT_NPROC counts every process of the
		// user, so leftovers of other tests could make an early one fail.
		Command: `while read -r k v _; do [ "$k" = Uid: ] && echo "uid $v"; done < /proc/self/status
if ulimit -H -n 100000 2>/dev/null; then echo "limit raised"; else echo "limit held"; fi
i=0; while [ $i -lt 30 ]; do sleep 300 & i=$((i+1)); done
echo forked; wait`}

	t.Run("as root", func(t *testing.T) {
		t.Parallel()
		p := start(t, newSupervisor(t), spec)
		out := appOutput(waitLog(t, p.Status().Log, "app    | forked"))
		// Root lifts hard limits only with CAP_SYS_RESOURCE, which
		// containers (and this sandbox) drop: the status must say which.
		e := mechanism(p.Status(), "open_files")
		want := map[bool]string{true: "limit held", false: "limit raised"}[e.Hard]
		if !strings.Contains(out, "uid 0") || !strings.Contains(out, want) {
			t.Errorf("open files %+v; app output:\n%s", e, out)
		}
		if e := mechanism(p.Status(), "processes"); e.Mechanism != "" || !strings.Contains(e.Note, "not enforced") {
			t.Errorf("processes as root: %+v, want not enforced", e)
		}
		t.Logf("as root: %s", want)
	})
	t.Run("as nobody", func(t *testing.T) {
		t.Parallel()
		s := newSupervisor(t, asNobody(t))
		p := start(t, s, spec)
		out := appOutput(waitLog(t, p.Status().Log, "Cannot fork"))
		if !strings.Contains(out, "uid 65534") || !strings.Contains(out, "limit held") || strings.Contains(out, "forked") {
			t.Errorf("app output:\n%s", out)
		}
		st := p.Status()
		for _, r := range []string{"open_files", "processes", "core_dumps"} {
			if e := mechanism(st, r); !e.Hard {
				t.Errorf("%s as nobody: %+v, want hard", r, e)
			}
		}
		if s.Isolation().AppUser != "65534:65534" {
			t.Errorf("isolation: %+v", s.Isolation())
		}
	})
}

// TestCPUWithoutCgroupIsReported: without a cgroup the CPU limit is not
// enforced, and the status and log say so instead of pretending.
func TestCPUWithoutCgroupIsReported(t *testing.T) {
	t.Parallel()
	s := newSupervisor(t, func(o *supervisor.Options) { o.Cgroup = "off" })
	p := start(t, s, supervisor.Spec{App: "cpu", Environment: runway.EnvSandbox, Version: "1", Dir: t.TempDir(),
		Command: "sleep 300", Limits: supervisor.Limits{CPUMillis: 500}})
	if e := mechanism(p.Status(), "cpu"); e.Mechanism != "" || !strings.Contains(e.Note, "not enforced") {
		t.Errorf("cpu: %+v", e)
	}
	waitLog(t, p.Status().Log, "limit cpu 500m: not enforced")
	if iso := s.Isolation(); iso.Cgroup != "" || !strings.Contains(iso.Reason, "turned off") {
		t.Errorf("isolation: %+v", iso)
	}
}

// asNobody makes apps run as nobody, with an apps folder it can reach.
func asNobody(t *testing.T) func(*supervisor.Options) {
	apps := t.TempDir()
	if err := os.Chmod(filepath.Dir(apps), 0o711); err != nil { // t.TempDir's parent is private
		t.Fatal(err)
	}
	return func(o *supervisor.Options) {
		o.RunAs = &supervisor.Credential{UID: 65534, GID: 65534}
		o.AppsDir = apps
	}
}

// TestRunAsEndToEnd: built and run as nobody, a Node.js app serves, can
// write its HOME but not its own code (so the digest stays true), and
// cannot read Runway's data folder.
func TestRunAsEndToEnd(t *testing.T) {
	t.Parallel()
	if os.Geteuid() != 0 {
		t.Skip("running apps as another user needs root")
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not installed")
	}
	dataDir := t.TempDir()
	if _, err := supervisor.New(supervisor.Options{DataDir: dataDir, RunAs: &supervisor.Credential{UID: 65534, GID: 65534}}); runway.ErrorCode(err) != runway.EINVALID {
		t.Errorf("apps folder inside a private data folder: %v, want refused", err)
	}
	s := newSupervisorIn(t, dataDir, asNobody(t))
	src := t.TempDir()
	writeTree(t, src, map[string]string{"server.js": `
const fs = require('fs'), http = require('http');
const tryWrite = (p) => { try { fs.writeFileSync(p, 'x'); return 'wrote'; } catch (e) { return e.code; } };
const tryRead = (p) => { try { fs.readFileSync(p); return 'read'; } catch (e) { return e.code; } };
http.createServer((req, res) => {
  if (req.url === '/healthz') return res.end('ok');
  res.end(JSON.stringify({uid: process.getuid(), built: fs.readFileSync('built.txt', 'utf8').trim(),
    code: tryWrite('server.js'), home: tryWrite(process.env.HOME + '/state.json'), data: tryRead(process.argv[2])}));
}).listen(process.env.PORT, process.env.HOST, () => console.log('listening'));
`})
	b, err := s.Build(context.Background(), supervisor.BuildSpec{App: "whoami", Version: "1", Source: src,
		Command: `echo "built by $(id -u)" > built.txt`})
	if err != nil {
		t.Fatalf("%v\n%s", err, b.LogTail)
	}
	p := start(t, s, supervisor.Spec{App: "whoami", Environment: runway.EnvSandbox, Version: "1", Dir: b.Dir,
		Command: "exec node server.js " + filepath.Join(dataDir, "run", "supervisor.lock"),
		Health:  supervisor.HealthCheck{Path: "/healthz", Interval: 50 * time.Millisecond}})
	ready(t, p)
	var got map[string]any
	if err := json.Unmarshal([]byte(get(t, p.Port(), "/")), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"uid": 65534.0, "built": "built by 65534", "code": "EACCES", "home": "wrote", "data": "EACCES"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("as nobody (-want +got):\n%s", diff)
	}
	if d, _ := supervisor.TreeDigest(b.Dir, nil); d != b.Digest {
		t.Errorf("the build changed after it was recorded")
	}
}
