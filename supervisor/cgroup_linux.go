package supervisor

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// The cgroup v2 controllers the supervisor needs.
var cgroupControllers = []string{"cpu", "memory", "pids"}

// cgroupRoot is a cgroup v2 directory this process may manage, with the
// memory, cpu and pids controllers enabled for its children: each app
// process gets a child of its own.
type cgroupRoot struct {
	dir  string
	real bool // on a cgroup2 file system (false only in tests)
}

// cgroup is one process tree's cgroup.
type cgroup struct {
	dir  string
	real bool
}

// detectCgroup finds the cgroup the supervisor can manage. setting is
// Options.Cgroup: "" or "auto" looks at this process's own cgroup, "off"
// disables cgroups, anything else is a cgroup v2 directory delegated to
// Runway. Without one it returns the reason, in plain words.
func detectCgroup(setting string) (*cgroupRoot, string) {
	switch setting {
	case "off":
		return nil, "cgroups are turned off in the configuration"
	case "", "auto":
		dir, reason := ownCgroup()
		if dir == "" {
			return nil, reason
		}
		return openCgroupRoot(dir, true)
	default:
		return openCgroupRoot(setting, true)
	}
}

// ownCgroup returns the cgroup v2 directory of this process.
func ownCgroup() (string, string) {
	mount := ""
	if f, err := os.Open("/proc/self/mountinfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			// ... mount-point ... - fstype source options
			fields := strings.Fields(sc.Text())
			if i := slices.Index(fields, "-"); i > 4 && i+1 < len(fields) && fields[i+1] == "cgroup2" {
				mount = fields[4]
				break
			}
		}
		f.Close()
	}
	if mount == "" {
		return "", "no cgroup v2 file system is mounted"
	}
	b, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return "", "cannot read /proc/self/cgroup: " + err.Error()
	}
	for _, line := range strings.Split(string(b), "\n") {
		if path, ok := strings.CutPrefix(line, "0::"); ok {
			return filepath.Join(mount, path), ""
		}
	}
	return "", "this process is in no cgroup v2"
}

// openCgroupRoot checks that dir can hold the app cgroups and prepares it:
// its children must get the memory, cpu and pids controllers, which cgroup
// v2 allows only when dir itself holds no process ("no internal
// processes"). If this process is the only one in dir it moves itself to a
// leaf child, runway-supervisor, as systemd's delegation contract expects.
func openCgroupRoot(dir string, checkFS bool) (*cgroupRoot, string) {
	if checkFS {
		var st unix.Statfs_t
		if err := unix.Statfs(dir, &st); err != nil {
			return nil, fmt.Sprintf("cgroup %s: %v", dir, err)
		}
		if st.Type != unix.CGROUP2_SUPER_MAGIC {
			return nil, fmt.Sprintf("%s is not on a cgroup v2 file system", dir)
		}
	}
	have := strings.Fields(readString(filepath.Join(dir, "cgroup.controllers")))
	for _, c := range cgroupControllers {
		if !slices.Contains(have, c) {
			return nil, fmt.Sprintf("cgroup v2 at %s offers the controllers %q, not %s: this machine keeps them in cgroup v1 (a hybrid hierarchy) or does not delegate them",
				dir, have, strings.Join(cgroupControllers, ", "))
		}
	}
	if unix.Access(dir, unix.W_OK) != nil || unix.Access(filepath.Join(dir, "cgroup.subtree_control"), unix.W_OK) != nil {
		return nil, fmt.Sprintf("cgroup %s is not delegated to this user (not writable)", dir)
	}
	enabled := strings.Fields(readString(filepath.Join(dir, "cgroup.subtree_control")))
	if !containsAll(enabled, cgroupControllers) {
		if err := leaveCgroup(dir, checkFS); err != nil {
			return nil, err.Error()
		}
		if err := writeFile(filepath.Join(dir, "cgroup.subtree_control"), "+cpu +memory +pids", checkFS); err != nil {
			return nil, fmt.Sprintf("cannot enable the cpu, memory and pids controllers in %s: %v", dir, err)
		}
	}
	return &cgroupRoot{dir: dir, real: checkFS}, ""
}

// leaveCgroup moves this process from dir to a leaf child, if it is there
// and alone.
func leaveCgroup(dir string, real bool) error {
	var others []string
	self := strconv.Itoa(os.Getpid())
	inside := false
	for _, pid := range strings.Fields(readString(filepath.Join(dir, "cgroup.procs"))) {
		if pid == self {
			inside = true
		} else {
			others = append(others, pid)
		}
	}
	switch {
	case len(others) > 0:
		return fmt.Errorf("cgroup %s holds other processes (%s), so its children cannot get controllers: give Runway a cgroup of its own (Delegate=yes in its systemd unit)",
			dir, strings.Join(others, ", "))
	case !inside:
		return nil
	}
	leaf := filepath.Join(dir, "runway-supervisor")
	if err := os.Mkdir(leaf, 0o755); err != nil && !os.IsExist(err) {
		return fmt.Errorf("create %s: %w", leaf, err)
	}
	if err := writeFile(filepath.Join(leaf, "cgroup.procs"), self, real); err != nil {
		return fmt.Errorf("move Runway to %s: %w", leaf, err)
	}
	return nil
}

// create makes the cgroup name with the limits; a leftover of the same
// name is emptied and replaced.
func (r *cgroupRoot) create(name string, l Limits) (*cgroup, error) {
	c := &cgroup{dir: filepath.Join(r.dir, name), real: r.real}
	if _, err := os.Stat(c.dir); err == nil {
		c.kill()
		if err := c.remove(); err != nil {
			return nil, err
		}
	}
	if err := os.Mkdir(c.dir, 0o755); err != nil {
		return nil, fmt.Errorf("create cgroup: %w", err)
	}
	settings := [][2]string{
		{"memory.max", "max"},
		{"memory.oom.group", "1"},
		{"cpu.max", "max 100000"},
		{"pids.max", "max"},
	}
	if l.MemoryBytes > 0 {
		settings[0][1] = strconv.FormatInt(l.MemoryBytes, 10)
		// Without this the tree could swap beyond memory.max.
		if _, err := os.Stat(filepath.Join(c.dir, "memory.swap.max")); err == nil || !r.real {
			settings = append(settings, [2]string{"memory.swap.max", "0"})
		}
	}
	if l.CPUMillis > 0 {
		settings[2][1] = fmt.Sprintf("%d 100000", l.CPUMillis*100)
	}
	if l.Processes > 0 {
		settings[3][1] = strconv.Itoa(l.Processes)
	}
	for _, s := range settings {
		if err := writeFile(filepath.Join(c.dir, s[0]), s[1], c.real); err != nil {
			c.remove()
			return nil, fmt.Errorf("set %s of cgroup %s: %w", s[0], c.dir, err)
		}
	}
	return c, nil
}

// openCgroup returns a handle on an existing cgroup (a leftover's).
func openCgroup(dir string) *cgroup { return &cgroup{dir: dir, real: true} }

// add moves process pid (and its threads) into the cgroup.
func (c *cgroup) add(pid int) error {
	if err := writeFile(filepath.Join(c.dir, "cgroup.procs"), strconv.Itoa(pid), c.real); err != nil {
		return fmt.Errorf("move process %d into cgroup %s: %w", pid, c.dir, err)
	}
	return nil
}

// populated reports whether a process is still in the cgroup.
func (c *cgroup) populated() bool {
	for _, line := range strings.Split(readString(filepath.Join(c.dir, "cgroup.events")), "\n") {
		if v, ok := strings.CutPrefix(line, "populated "); ok {
			return v == "1"
		}
	}
	return false
}

// kill sends SIGKILL to every process in the cgroup, including those that
// left the process group.
func (c *cgroup) kill() {
	if writeFile(filepath.Join(c.dir, "cgroup.kill"), "1", c.real) == nil || !c.real {
		return
	}
	// Before Linux 5.14 there is no cgroup.kill.
	for _, pid := range strings.Fields(readString(filepath.Join(c.dir, "cgroup.procs"))) {
		if n, err := strconv.Atoi(pid); err == nil && n > 0 {
			syscall.Kill(n, syscall.SIGKILL)
		}
	}
}

// oomKills returns how many processes the kernel killed in the cgroup for
// exceeding memory.max.
func (c *cgroup) oomKills() int {
	for _, line := range strings.Split(readString(filepath.Join(c.dir, "memory.events")), "\n") {
		if v, ok := strings.CutPrefix(line, "oom_kill "); ok {
			n, _ := strconv.Atoi(v)
			return n
		}
	}
	return 0
}

// remove deletes the cgroup once its processes are gone.
func (c *cgroup) remove() error {
	var err error
	for range 50 {
		if err = os.Remove(c.dir); err == nil || errors.Is(err, os.ErrNotExist) {
			return nil
		}
		if !c.real || !errors.Is(err, syscall.EBUSY) {
			break
		}
		time.Sleep(20 * time.Millisecond) // processes are still exiting
	}
	return fmt.Errorf("remove cgroup: %w", err)
}

func readString(path string) string {
	b, _ := os.ReadFile(path)
	return strings.TrimSpace(string(b))
}

// writeFile writes a cgroup interface file. Only a test's stand-in for a
// cgroup file system (real false) gets the files created.
func writeFile(path, value string, real bool) error {
	flags := os.O_WRONLY | os.O_TRUNC
	if !real {
		flags |= os.O_CREATE
	}
	f, err := os.OpenFile(path, flags, 0o644)
	if err != nil {
		return err
	}
	_, err = f.WriteString(value)
	return errors.Join(err, f.Close())
}

func containsAll(have, want []string) bool {
	for _, w := range want {
		if !slices.Contains(have, w) {
			return false
		}
	}
	return true
}
