//go:build !linux

package supervisor

import (
	"errors"
	"os"
	"syscall"
	"time"
)

// Outside Linux the supervisor runs processes and their groups, without
// resource limits, cgroups or exact process identity.

type procInfo struct {
	pgid   int
	start  uint64
	zombie bool
}

func readProc(pid int) (procInfo, error) {
	if err := syscall.Kill(pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return procInfo{}, os.ErrNotExist
	}
	pgid, _ := syscall.Getpgid(pid)
	return procInfo{pgid: pgid}, nil
}

func bootID() string { return "" }

func groupMembers(pgid int) []int {
	if syscall.Kill(-pgid, 0) == nil {
		return []int{-1}
	}
	return nil
}

var errUnsupported = errors.New("not supported on this system")

func waitNoReap(int) error { return errUnsupported }

func watchExit(pid int) (<-chan struct{}, error) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		for syscall.Kill(pid, 0) == nil {
			time.Sleep(500 * time.Millisecond)
		}
	}()
	return done, nil
}

func setPipeSize(*os.File, int) {}

func setRlimits(int, []rlimit) error { return nil }

const (
	rlimitData = iota
	rlimitNofile
	rlimitNproc
	rlimitCore
)

const rlimitsSupported = false

func canRaiseRlimits() bool { return true }

func mkfifo(path string) error { return syscall.Mkfifo(path, 0o600) }

type cgroupRoot struct{ dir string }

type cgroup struct{ dir string }

func detectCgroup(string) (*cgroupRoot, string) {
	return nil, "cgroups exist on Linux only"
}

func openCgroup(dir string) *cgroup                          { return &cgroup{dir: dir} }
func (r *cgroupRoot) create(string, Limits) (*cgroup, error) { return nil, errUnsupported }
func (c *cgroup) add(int) error                              { return errUnsupported }
func (c *cgroup) populated() bool                            { return false }
func (c *cgroup) kill()                                      {}
func (c *cgroup) oomKills() int                              { return 0 }
func (c *cgroup) remove() error                              { return nil }
