package supervisor

import (
	"fmt"
	"strconv"
)

// Isolation says which mechanism enforces resource limits on this machine.
type Isolation struct {
	// Cgroup is the cgroup v2 directory the app cgroups are made in; empty
	// when limits fall back to rlimits.
	Cgroup string `json:"cgroup,omitempty"`
	// Reason says, when Cgroup is empty, why no cgroup v2 is used.
	Reason string `json:"reason,omitempty"`
	// AppUser is the user apps run as: "uid:gid", or "" for Runway's own.
	AppUser string `json:"app_user,omitempty"`
}

// Enforcement says how one resource limit of a process is enforced.
type Enforcement struct {
	Resource string `json:"resource"` // memory, cpu, processes, open_files, core_dumps
	Limit    string `json:"limit"`    // "256 MiB", "500m" (thousandths of a CPU), "64"
	// Mechanism is what enforces it ("cgroup v2 memory.max",
	// "RLIMIT_DATA"); empty when nothing does.
	Mechanism string `json:"mechanism,omitempty"`
	// Scope is what the limit counts: the process tree, each process, or
	// every process of the app's user.
	Scope string `json:"scope,omitempty"`
	// Hard is true when the app cannot lift the limit itself.
	Hard bool `json:"hard"`
	// Note explains a limit that is not enforced, or not hard.
	Note string `json:"note,omitempty"`
}

// rlimit is one resource limit set with prlimit(2).
type rlimit struct {
	name     string
	resource int
	value    uint64
}

// confinement is how a process tree is confined: the report, the rlimits
// to set and whether a cgroup is made.
type confinement struct {
	report  []Enforcement
	rlimits []rlimit
	cgroup  bool
}

// confine plans how the limits are enforced for one process tree.
// appUID is the uid the app runs as; runwayUID the uid of this process;
// rootCanRaise whether root here holds CAP_SYS_RESOURCE.
func confine(l Limits, haveCgroup bool, appUID, runwayUID int, rootCanRaise bool) confinement {
	// Only CAP_SYS_RESOURCE can raise a hard rlimit: an app without it
	// (any unprivileged user, or root where the capability is dropped, as
	// in most containers) is bound for good. cgroup files belong to
	// Runway's user, so they bind only an app that runs as another user.
	rlimitHard := appUID != 0 || !rootCanRaise
	cgroupHard := appUID != 0 && appUID != runwayUID
	hardNote := func(hard bool) string {
		switch {
		case hard:
			return ""
		case appUID == 0:
			return "the app runs as root, which can lift the limit: set a separate user for apps to run as"
		default:
			return "the app runs as Runway's own user, which owns its cgroup: set a separate user for apps to run as"
		}
	}
	c := confinement{cgroup: haveCgroup}
	// Core dumps would write the app's memory, secrets included, to disk.
	c.rlimits = append(c.rlimits, rlimit{"RLIMIT_CORE", rlimitCore, 0})
	c.report = append(c.report, Enforcement{Resource: "core_dumps", Limit: "0", Mechanism: "RLIMIT_CORE",
		Scope: "each process", Hard: rlimitHard, Note: hardNote(rlimitHard)})

	if l.MemoryBytes > 0 {
		e := Enforcement{Resource: "memory", Limit: formatBytes(l.MemoryBytes)}
		if haveCgroup {
			e.Mechanism, e.Scope, e.Hard = "cgroup v2 memory.max (swap off)", "process tree", cgroupHard
			e.Note = hardNote(cgroupHard)
		} else {
			c.rlimits = append(c.rlimits, rlimit{"RLIMIT_DATA", rlimitData, uint64(l.MemoryBytes)})
			e.Mechanism, e.Scope, e.Hard = "RLIMIT_DATA", "each process", rlimitHard
			e.Note = "caps each process's heap and private writable memory, not the tree's total"
			if !rlimitHard {
				e.Note += "; " + hardNote(false)
			}
		}
		c.report = append(c.report, e)
	}
	if l.CPUMillis > 0 {
		e := Enforcement{Resource: "cpu", Limit: strconv.Itoa(l.CPUMillis) + "m"}
		if haveCgroup {
			e.Mechanism, e.Scope, e.Hard, e.Note = "cgroup v2 cpu.max", "process tree", cgroupHard, hardNote(cgroupHard)
		} else {
			e.Note = "not enforced: a CPU share needs the cgroup v2 cpu controller (no rlimit caps a rate)"
		}
		c.report = append(c.report, e)
	}
	if l.Processes > 0 {
		e := Enforcement{Resource: "processes", Limit: strconv.Itoa(l.Processes)}
		switch {
		case haveCgroup:
			e.Mechanism, e.Scope, e.Hard, e.Note = "cgroup v2 pids.max", "process tree", cgroupHard, hardNote(cgroupHard)
		case appUID != 0 && appUID != runwayUID:
			c.rlimits = append(c.rlimits, rlimit{"RLIMIT_NPROC", rlimitNproc, uint64(l.Processes)})
			e.Mechanism, e.Scope, e.Hard = "RLIMIT_NPROC", fmt.Sprintf("every process of user %d", appUID), true
			e.Note = "counts all processes and threads of the apps' user, not only this tree's"
		default:
			e.Note = "not enforced: RLIMIT_NPROC counts every process of the user (and root ignores it); set a separate user for apps to run as"
		}
		c.report = append(c.report, e)
	}
	if l.OpenFiles > 0 {
		c.rlimits = append(c.rlimits, rlimit{"RLIMIT_NOFILE", rlimitNofile, l.OpenFiles})
		c.report = append(c.report, Enforcement{Resource: "open_files", Limit: strconv.FormatUint(l.OpenFiles, 10),
			Mechanism: "RLIMIT_NOFILE", Scope: "each process", Hard: rlimitHard, Note: hardNote(rlimitHard)})
	}
	return c
}

func formatBytes(n int64) string {
	switch {
	case n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
