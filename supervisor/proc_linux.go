package supervisor

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// procInfo is what /proc/PID/stat says about a process.
type procInfo struct {
	pgid   int
	start  uint64 // clock ticks after boot: with the pid, it names a process uniquely
	zombie bool
}

// readProc reads /proc/PID/stat. A process that no longer exists is an
// os.ErrNotExist error.
func readProc(pid int) (procInfo, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return procInfo{}, err
	}
	// The command name (field 2) may hold spaces and parentheses: the
	// fields that follow start after the last ')'.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return procInfo{}, fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 20 {
		return procInfo{}, fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	pgid, err1 := strconv.Atoi(f[2])                // field 5
	start, err2 := strconv.ParseUint(f[19], 10, 64) // field 22
	if err := errors.Join(err1, err2); err != nil {
		return procInfo{}, fmt.Errorf("/proc/%d/stat: %w", pid, err)
	}
	return procInfo{pgid: pgid, start: start, zombie: f[0] == "Z" || f[0] == "X"}, nil
}

// bootID identifies the current boot, so that a state file written before
// a reboot never names a process of this one.
func bootID() string {
	b, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// groupMembers lists the live (not zombie) processes of process group pgid.
func groupMembers(pgid int) []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if info, err := readProc(pid); err == nil && info.pgid == pgid && !info.zombie {
			pids = append(pids, pid)
		}
	}
	return pids
}

// waitNoReap waits until the child pid has exited without reaping it: as
// long as it is a zombie, neither its pid nor its process group id can be
// given to another process, so the rest of its group can be signalled
// safely.
func waitNoReap(pid int) error {
	for {
		var info unix.Siginfo
		err := unix.Waitid(unix.P_PID, pid, &info, unix.WEXITED|unix.WNOWAIT, nil)
		if err != unix.EINTR {
			return err
		}
	}
}

// watchExit returns a channel closed when the process pid, which need not
// be a child, exits. It uses a pidfd, so a reused pid cannot fool it.
func watchExit(pid int) (<-chan struct{}, error) {
	fd, err := unix.PidfdOpen(pid, unix.PIDFD_NONBLOCK)
	if err != nil {
		return nil, fmt.Errorf("pidfd_open %d: %w", pid, err)
	}
	f := os.NewFile(uintptr(fd), "pidfd")
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil, err
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer f.Close()
		// A pidfd becomes readable when the process exits; Read on the
		// RawConn waits for that in the runtime's poller.
		first := true
		rc.Read(func(uintptr) bool {
			if first {
				first = false
				return false
			}
			return true
		})
	}()
	return done, nil
}

// setPipeSize enlarges a pipe's buffer, so that an app whose supervisor
// is restarting can write that much output before it blocks.
func setPipeSize(f *os.File, size int) {
	if rc, err := f.SyscallConn(); err == nil {
		rc.Control(func(fd uintptr) { unix.FcntlInt(fd, unix.F_SETPIPE_SZ, size) })
	}
}

// setRlimits applies the limits to the process pid.
func setRlimits(pid int, limits []rlimit) error {
	for _, l := range limits {
		lim := unix.Rlimit{Cur: l.value, Max: l.value}
		if err := unix.Prlimit(pid, l.resource, &lim, nil); err != nil {
			return fmt.Errorf("set %s of process %d to %d: %w", l.name, pid, l.value, err)
		}
	}
	return nil
}

// Resources for rlimits.
const (
	rlimitData   = unix.RLIMIT_DATA
	rlimitNofile = unix.RLIMIT_NOFILE
	rlimitNproc  = unix.RLIMIT_NPROC
	rlimitCore   = unix.RLIMIT_CORE
)

// rlimitsSupported says whether setRlimits works on this system.
const rlimitsSupported = true

// canRaiseRlimits reports whether this process holds CAP_SYS_RESOURCE,
// which an app running as root inherits and which lifts hard rlimits.
func canRaiseRlimits() bool {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return true // assume the worst
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "CapEff:"); ok {
			caps, err := strconv.ParseUint(strings.TrimSpace(v), 16, 64)
			return err != nil || caps&(1<<unix.CAP_SYS_RESOURCE) != 0
		}
	}
	return true
}

func mkfifo(path string) error { return unix.Mkfifo(path, 0o600) }

// isESRCH reports whether err says the process does not exist.
func isESRCH(err error) bool { return errors.Is(err, syscall.ESRCH) }
