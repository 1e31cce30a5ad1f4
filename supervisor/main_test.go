package supervisor_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/supervisor"
)

// The test binary doubles as the apps the tests run: "helper MODE ARGS".
func TestMain(m *testing.M) {
	if len(os.Args) > 2 && os.Args[1] == "helper" {
		helperMain(os.Args[2], os.Args[3:])
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func helperMain(mode string, args []string) {
	switch mode {
	case "serve":
		serve()
	case "alloc": // alloc MiB: allocate and touch that much memory
		n, _ := strconv.Atoi(args[0])
		var keep [][]byte
		for range n {
			b := make([]byte, 1<<20)
			for i := range b {
				b[i] = 1
			}
			keep = append(keep, b)
		}
		runtime.KeepAlive(keep)
		fmt.Printf("allocated %d MiB\n", n)
	case "openfiles": // openfiles N: open /dev/null N times
		n, _ := strconv.Atoi(args[0])
		var files []*os.File
		for range n {
			f, err := os.Open(os.DevNull)
			if err != nil {
				fmt.Printf("opened %d files, then: %v\n", len(files), err)
				os.Exit(4)
			}
			files = append(files, f)
		}
		fmt.Printf("opened %d files\n", len(files))
	case "supervise": // supervise DATADIR PORT SECRET: a Runway that will be killed
		supervise(args[0], args[1], args[2])
	case "build": // build DATADIR SOURCE COMMAND: a Runway killed while building
		s, err := supervisor.New(supervisor.Options{DataDir: args[0]})
		if err == nil {
			_, err = s.Build(context.Background(), supervisor.BuildSpec{App: "slow", Version: "1", Source: args[1], Command: args[2]})
		}
		fmt.Println("error:", err)
		os.Exit(1)
	default:
		fmt.Fprintln(os.Stderr, "unknown helper mode", mode)
		os.Exit(2)
	}
}

// serve is a small app: /healthz (500 after /sick), /env, /say?text=,
// /exit?code=.
func serve() {
	var sick atomic.Bool
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		if sick.Load() {
			http.Error(w, "sick", http.StatusInternalServerError)
			return
		}
		io.WriteString(w, "ok")
	})
	mux.HandleFunc("/sick", func(w http.ResponseWriter, r *http.Request) { sick.Store(true) })
	mux.HandleFunc("/env", func(w http.ResponseWriter, r *http.Request) { json.NewEncoder(w).Encode(os.Environ()) })
	mux.HandleFunc("/say", func(w http.ResponseWriter, r *http.Request) { fmt.Println(r.FormValue("text")) })
	mux.HandleFunc("/pid", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, os.Getpid()) })
	fmt.Println("listening on", os.Getenv("PORT"))
	err := http.ListenAndServe("127.0.0.1:"+os.Getenv("PORT"), mux)
	fmt.Println(err)
	os.Exit(1)
}

// supervise starts the serve app under a Supervisor, says so and waits to
// be killed.
func supervise(dataDir, port, secret string) {
	s, err := supervisor.New(supervisor.Options{DataDir: dataDir})
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	n, _ := strconv.Atoi(port)
	p, err := s.Start(context.Background(), serveSpec(dataDir, n, secret))
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := p.WaitReady(ctx); err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	fmt.Println("ready", p.Status().PID, p.Port())
	select {}
}

// helperPath is the test binary, which the apps of the tests run.
func helperPath(t testing.TB) string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return exe
}

// serveSpec runs the serve helper with a secret.
func serveSpec(dir string, port int, secret string) supervisor.Spec {
	exe, _ := os.Executable()
	return supervisor.Spec{
		App: "expense-approvals", Environment: runway.EnvSandbox, Version: "v1",
		Dir:     dir,
		Command: `exec "$HELPER" helper serve`,
		Vars:    map[string]string{"HELPER": exe},
		Secrets: map[string]string{"SLACK_BOT_TOKEN": secret},
		Port:    port,
		Health:  supervisor.HealthCheck{Path: "/healthz", Interval: 50 * time.Millisecond, Timeout: time.Second, Failures: 2, StartTimeout: 10 * time.Second},
	}
}

// newSupervisor returns a Supervisor on a fresh data directory with quick
// timings, stopped at the end of the test.
func newSupervisor(t *testing.T, change ...func(*supervisor.Options)) *supervisor.Supervisor {
	t.Helper()
	return newSupervisorIn(t, t.TempDir(), change...)
}

// newSupervisorIn is newSupervisor on the data directory dir.
func newSupervisorIn(t *testing.T, dir string, change ...func(*supervisor.Options)) *supervisor.Supervisor {
	t.Helper()
	opts := supervisor.Options{
		DataDir:   dir,
		StopGrace: 500 * time.Millisecond,
		Restart:   supervisor.RestartPolicy{Initial: 20 * time.Millisecond, Max: 80 * time.Millisecond, ResetAfter: 10 * time.Second},
	}
	for _, c := range change {
		c(&opts)
	}
	s, err := supervisor.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.StopAll(ctx); err != nil {
			t.Error(err)
		}
		s.Close()
	})
	return s
}

func start(t *testing.T, s *supervisor.Supervisor, spec supervisor.Spec) *supervisor.Process {
	t.Helper()
	p, err := s.Start(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func ready(t *testing.T, p *supervisor.Process) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := p.WaitReady(ctx); err != nil {
		t.Fatalf("%v\nlog:\n%s", err, readFile(t, p.Status().Log))
	}
}

// waitFor waits, without sleeping, until the process's status satisfies
// cond, and returns that status.
func waitFor(t *testing.T, p *supervisor.Process, what string, cond func(supervisor.Status) bool) supervisor.Status {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		st, changed := p.Watch()
		if cond(st) {
			return st
		}
		select {
		case <-changed:
		case <-deadline:
			t.Fatalf("timed out waiting for %s; status %+v\nlog:\n%s", what, st, readFile(t, st.Log))
		}
	}
}

// waitLog waits until the log at path contains want.
func waitLog(t *testing.T, path, want string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, _ := os.ReadFile(path)
		if strings.Contains(string(b), want) {
			return string(b)
		}
		if time.Now().After(deadline) {
			t.Fatalf("log %s never contained %q:\n%s", path, want, b)
		}
		time.Sleep(10 * time.Millisecond) // the log is a file: nothing to wait on
	}
}

// appOutput returns the app's lines of a log, without their stamps.
func appOutput(log string) string {
	var out []string
	for _, line := range strings.Split(log, "\n") {
		if _, text, ok := strings.Cut(line, " app    | "); ok {
			out = append(out, text)
		}
	}
	return strings.Join(out, "\n")
}

func readFile(t testing.TB, path string) string {
	b, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Error(err)
	}
	return string(b)
}

func get(t *testing.T, port int, path string) string {
	t.Helper()
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d%s", port, path))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// gone reports whether process pid has exited (a zombie has).
func gone(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	return fields[0] == "Z" || fields[0] == "X"
}

// waitGone waits for the processes to exit: a killed orphan is reaped by
// init a moment later.
func waitGone(t *testing.T, pids ...int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for _, pid := range pids {
		for !gone(pid) {
			if time.Now().After(deadline) {
				t.Fatalf("process %d is still running", pid)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// readPIDs reads the pids a test app wrote, one a line.
func readPIDs(t *testing.T, path string) []int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var pids []int
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		n, err := strconv.Atoi(strings.TrimSpace(sc.Text()))
		if err != nil {
			t.Fatal(err)
		}
		pids = append(pids, n)
	}
	return pids
}

func errorCode(err error) string { return runway.ErrorCode(err) }

func stateFiles(t *testing.T, dataDir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dataDir, "run", "*", "*", "*", "state.json"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}
