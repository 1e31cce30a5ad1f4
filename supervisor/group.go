package supervisor

import (
	"syscall"
	"time"
)

// group is one app's process tree: the process group its command started
// (every process it starts stays in it unless it calls setsid or setpgid)
// and, where there is one, its cgroup (which nothing inside can leave).
type group struct {
	pgid int
	cg   *cgroup
}

// signal sends sig to the whole process group.
func (g group) signal(sig syscall.Signal) {
	if g.pgid > 0 {
		syscall.Kill(-g.pgid, sig)
	}
}

// kill sends SIGKILL to the process group and everything in the cgroup.
func (g group) kill() {
	g.signal(syscall.SIGKILL)
	if g.cg != nil {
		g.cg.kill()
	}
}

// empty reports whether no live process is left in the group (a zombie
// leader waiting to be reaped does not count).
func (g group) empty() bool {
	if g.cg != nil && g.cg.populated() {
		return false
	}
	return g.pgid <= 0 || len(groupMembers(g.pgid)) == 0
}

// drain stops what is left of the group: SIGTERM (unless termSent), up to
// grace to exit, then SIGKILL. It returns once the group is empty, or a
// second after the SIGKILL (a process in uninterruptible sleep can take
// longer).
func (g group) drain(grace time.Duration, termSent bool) {
	if g.empty() {
		return
	}
	if !termSent {
		g.signal(syscall.SIGTERM)
	}
	if waitEmpty(g, grace) {
		return
	}
	g.kill()
	waitEmpty(g, time.Second)
}

// waitEmpty waits up to d for the group to be empty.
func waitEmpty(g group, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for !g.empty() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
	return true
}
