package supervisor_test

import (
	"bufio"
	"context"
	"fmt"
	"net/url"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/runwayhq/runway/supervisor"
)

// crashedRunway runs a Runway (the helper) that starts the serve app with
// secret on dataDir, then kills it with SIGKILL, as a crash or an OOM kill
// of `runway up` would. It returns the app's pid and port, still running.
func crashedRunway(t *testing.T, dataDir, secret string) (pid, port int) {
	t.Helper()
	cmd := exec.Command(helperPath(t), "helper", "supervise", dataDir, "0", secret)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if _, err2 := fmt.Sscanf(line, "ready %d %d", &pid, &port); err != nil || err2 != nil {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("helper Runway: %q, %v", line, err)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if gone(pid) {
		t.Fatalf("the app %d died with its Runway", pid)
	}
	return pid, port
}

// TestReapAfterCrash: after a crash of Runway, the app it left running is
// found from its state file and stopped by Reap; nothing is left.
func TestReapAfterCrash(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	pid, _ := crashedRunway(t, dir, secret)
	s := newSupervisorIn(t, dir)
	found, err := s.Reap(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(found) != 1 || found[0].PID != pid || !found[0].Running || found[0].App != "expense-approvals" {
		t.Fatalf("Reap found %+v, want the app %d", found, pid)
	}
	waitGone(t, pid)
	if files := stateFiles(t, dir); len(files) != 0 {
		t.Errorf("state files left: %v", files)
	}
	if again, err := s.Reap(context.Background()); err != nil || len(again) != 0 {
		t.Errorf("second Reap: %+v, %v", again, err)
	}
	log := readFile(t, s.LogPath(found[0].Key))
	if !strings.Contains(log, fmt.Sprintf("stopped process %d, left running by a previous run of Runway", pid)) {
		t.Errorf("log:\n%s", log)
	}
}

// TestAdoptAfterCrash: after a crash of Runway, Adopt takes the app back
// without restarting it; what it printed meanwhile reaches the log,
// redacted; Reap leaves it alone; Stop ends it.
func TestAdoptAfterCrash(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	pid, port := crashedRunway(t, dir, secret)
	spec := serveSpec(dir, 0, secret)

	// While no Runway runs, the app keeps serving and logging.
	get(t, port, "/say?text="+url.QueryEscape("while down: "+secret))

	s := newSupervisorIn(t, dir)
	p, err := s.Adopt(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	st := p.Status()
	if !st.Adopted || st.PID != pid || st.Port != port {
		t.Fatalf("Adopt: %+v, want pid %d adopted on port %d", st, pid, port)
	}
	ready(t, p)
	get(t, port, "/say?text="+url.QueryEscape("after adoption: "+secret))
	log := waitLog(t, st.Log, "after adoption: [redacted SLACK_BOT_TOKEN]")
	if !strings.Contains(log, "while down: [redacted SLACK_BOT_TOKEN]") || strings.Contains(log, secret) {
		t.Errorf("log:\n%s", log)
	}
	if found, err := s.Reap(context.Background()); err != nil || len(found) != 0 {
		t.Errorf("Reap killed an adopted process: %+v, %v", found, err)
	}
	if err := p.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitGone(t, pid)
	if files := stateFiles(t, dir); len(files) != 0 {
		t.Errorf("state files left: %v", files)
	}
}

// TestAdoptChangedSpec: a leftover started with other secrets is not
// adopted: it is stopped and the spec started afresh.
func TestAdoptChangedSpec(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	pid, _ := crashedRunway(t, dir, secret)
	s := newSupervisorIn(t, dir)
	p, err := s.Adopt(context.Background(), serveSpec(dir, 0, "rotated-"+secret))
	if err != nil {
		t.Fatal(err)
	}
	if st := p.Status(); st.Adopted || st.PID == pid {
		t.Errorf("adopted a process with the old secret: %+v", st)
	}
	waitGone(t, pid)
	ready(t, p)
}

// TestCloseLeavesProcessesForAdoption: Close stops supervising but not the
// apps; a new Supervisor adopts them.
func TestCloseLeavesProcessesForAdoption(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s1, err := supervisor.New(supervisor.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	spec := serveSpec(dir, 0, secret)
	p1, err := s1.Start(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	ready(t, p1)
	pid := p1.Status().PID
	s1.Close()
	<-p1.Done()
	if st := p1.Status(); st.State != supervisor.StateDetached {
		t.Errorf("after Close: %+v", st)
	}
	if err := p1.Stop(context.Background()); err == nil {
		t.Error("Stop on a detached process succeeded")
	}
	if gone(pid) {
		t.Fatal("Close stopped the app")
	}
	s2 := newSupervisorIn(t, dir)
	p2, err := s2.Adopt(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	if st := p2.Status(); !st.Adopted || st.PID != pid {
		t.Errorf("Adopt: %+v", st)
	}
	// The app crashes: the adopter notices through the pidfd and restarts
	// it as its own child.
	syscall.Kill(pid, syscall.SIGKILL)
	st := waitFor(t, p2, "a restart", func(st supervisor.Status) bool { return st.Restarts == 1 && st.State == supervisor.StateRunning })
	if st.Adopted || !strings.Contains(st.LastExit.Reason, "started by a previous run") {
		t.Errorf("after the crash: %+v, last exit %+v", st, st.LastExit)
	}
}

// TestReapInterruptedBuild: a build left running by a crashed Runway is
// stopped by Reap, so it never runs twice at once.
func TestReapInterruptedBuild(t *testing.T) {
	t.Parallel()
	dir, src := t.TempDir(), t.TempDir()
	pidFile := filepath.Join(src, "build.pid")
	cmd := exec.Command(helperPath(t), "helper", "build", dir, src, "echo $$ > "+pidFile+"; sleep 300")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for readFile(t, pidFile) == "" {
		if time.Now().After(deadline) {
			t.Fatal("the build never started")
		}
		time.Sleep(10 * time.Millisecond) // a file: nothing to wait on
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	pid := readPIDs(t, pidFile)[0]
	if gone(pid) {
		t.Fatal("the build died with its Runway")
	}
	s := newSupervisorIn(t, dir)
	found, err := s.Reap(context.Background())
	if err != nil || len(found) != 1 || found[0].Environment != "build" || found[0].PID != pid || !found[0].Running {
		t.Fatalf("Reap: %+v, %v", found, err)
	}
	waitGone(t, pid)
	if partial, _ := filepath.Glob(filepath.Join(dir, "apps", "builds", "slow", ".*")); len(partial) != 0 {
		t.Errorf("Reap left the interrupted build's folder: %v", partial)
	}
	// The next Build starts afresh.
	b, err := s.Build(context.Background(), supervisor.BuildSpec{App: "slow", Version: "1", Source: src, Command: "echo again"})
	if err != nil || b.Reused {
		t.Fatalf("Build after the crash: %+v, %v", b, err)
	}
}
