package supervisor

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/runwayhq/runway"
)

// Spec says how to run one version of an app in one environment.
type Spec struct {
	// App, Environment and Version name the process; together they are its
	// Key. App is a DNS label, Environment a lowercase label other than
	// "build", Version letters, digits, '.', '_' and '-'.
	App         string
	Environment runway.Environment
	Version     string
	// Dir is the folder the command runs in, usually a Build's Dir.
	Dir string
	// Command is run with sh -c (the manifest's run.start).
	Command string
	// Vars are extra environment variables. They may replace the defaults
	// (NODE_ENV, LANG, PATH...) but not PORT, HOST, HOME or OFREP_ENDPOINT,
	// and no name may start with RUNWAY_.
	Vars map[string]string
	// Secrets are the app's declared secrets, NAME → value, given to it as
	// environment variables and redacted from its logs.
	Secrets map[string]string
	// Port is the port the app must listen on (given as PORT); 0 picks a
	// free one on 127.0.0.1.
	Port int
	// OFREPEndpoint is the feature-flag service's address (OFREP_ENDPOINT);
	// empty leaves the variable out.
	OFREPEndpoint string
	// Health is the HTTP health check; a zero Path means the process is
	// considered running as soon as it starts.
	Health HealthCheck
	// Limits caps the process tree's resources; zero fields are not capped.
	Limits Limits
}

// HealthCheck describes the HTTP check of a running process: GET
// http://127.0.0.1:PORT/Path, healthy on a 2xx or 3xx answer.
type HealthCheck struct {
	Path string
	// Interval between checks (default 10s) and Timeout of one (default 2s).
	Interval, Timeout time.Duration
	// Failures is how many failed checks in a row restart a running
	// process (default 3).
	Failures int
	// StartTimeout is how long a new process may take to answer its first
	// check before it is restarted (default 60s).
	StartTimeout time.Duration
}

// Limits are the resource caps of one process tree. Where a cap is
// enforced, and how hard, depends on the machine: see Enforcement and
// docs/runtime-isolation.md.
type Limits struct {
	// MemoryBytes caps memory: the whole tree's memory with a cgroup
	// (memory.max, no swap), each process's data segment and heap
	// otherwise (RLIMIT_DATA).
	MemoryBytes int64
	// CPUMillis caps CPU time in thousandths of a CPU (500 = half a CPU);
	// enforced only with a cgroup (cpu.max).
	CPUMillis int
	// Processes caps the number of processes (and threads): pids.max with a
	// cgroup; RLIMIT_NPROC otherwise, only when apps run as their own user.
	Processes int
	// OpenFiles caps each process's open file descriptors (RLIMIT_NOFILE).
	OpenFiles uint64
}

// Key names a supervised process.
type Key struct {
	App         string             `json:"app"`
	Environment runway.Environment `json:"environment"`
	Version     string             `json:"version"`
}

// String returns "app/environment/version".
func (k Key) String() string { return k.App + "/" + string(k.Environment) + "/" + k.Version }

// Key returns the spec's key.
func (s *Spec) Key() Key { return Key{s.App, s.Environment, s.Version} }

var (
	labelRE   = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)
	versionRE = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$`)
	varRE     = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
)

// platformVars are set by the supervisor; a spec may not replace them.
var platformVars = []string{"PORT", "HOST", "HOME", "OFREP_ENDPOINT"}

func (k Key) validate() error {
	switch {
	case !labelRE.MatchString(k.App):
		return runway.Errorf(runway.EINVALID, "app name %q is not valid: use lowercase letters, digits and dashes", k.App)
	case !labelRE.MatchString(string(k.Environment)) || k.Environment == buildEnvironment:
		return runway.Errorf(runway.EINVALID, "environment %q is not valid: use a lowercase label such as sandbox", k.Environment)
	case !versionRE.MatchString(k.Version):
		return runway.Errorf(runway.EINVALID, "version %q is not valid: use letters, digits, '.', '_' and '-'", k.Version)
	}
	return nil
}

func (s *Spec) validate() error {
	if err := s.Key().validate(); err != nil {
		return err
	}
	if strings.TrimSpace(s.Command) == "" {
		return runway.Errorf(runway.EINVALID, "%s has no start command: add `start:` under `run:` in runway.yaml", s.Key())
	}
	if s.Dir == "" {
		return runway.Errorf(runway.EINVALID, "%s has no folder to run in", s.Key())
	}
	if s.Port < 0 || s.Port > 65535 {
		return runway.Errorf(runway.EINVALID, "port %d is not valid", s.Port)
	}
	if s.Health.Path != "" && !strings.HasPrefix(s.Health.Path, "/") {
		return runway.Errorf(runway.EINVALID, "health path %q must start with /", s.Health.Path)
	}
	if err := s.Limits.validate(); err != nil {
		return err
	}
	if err := validateVars(s.Vars, "variable"); err != nil {
		return err
	}
	if err := validateVars(s.Secrets, "secret"); err != nil {
		return err
	}
	for name := range s.Secrets {
		if _, dup := s.Vars[name]; dup {
			return runway.Errorf(runway.EINVALID, "%s is both a variable and a secret: keep only the secret", name)
		}
	}
	return nil
}

func (l Limits) validate() error {
	if l.MemoryBytes < 0 || l.CPUMillis < 0 || l.Processes < 0 {
		return runway.Errorf(runway.EINVALID, "resource limits cannot be negative")
	}
	if l.MemoryBytes > 0 && l.MemoryBytes < 4<<20 {
		return runway.Errorf(runway.EINVALID, "a memory limit of %d bytes is too small to start anything: use at least 4 MiB", l.MemoryBytes)
	}
	return nil
}

func validateVars(vars map[string]string, what string) error {
	for name := range vars {
		switch {
		case !varRE.MatchString(name):
			return runway.Errorf(runway.EINVALID, "%s name %q is not valid: use letters, digits and _", what, name)
		case strings.HasPrefix(strings.ToUpper(name), "RUNWAY_"):
			return runway.Errorf(runway.EINVALID, "%s %s is not allowed: RUNWAY_* variables are Runway's own and never reach apps", what, name)
		case slices.Contains(platformVars, name):
			return runway.Errorf(runway.EINVALID, "%s %s is set by the platform and cannot be replaced", what, name)
		}
	}
	return nil
}

// DefaultPath is the PATH apps get when Options.Path is empty.
const DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// environ returns the process environment of an app: a clean one, built
// from nothing but the supervisor's options and the spec, so that none of
// Runway's own variables (RUNWAY_TOKEN...) can reach the app.
func (s *Spec) environ(path, home string) []string {
	env := map[string]string{
		"PATH":     path,
		"HOME":     home,
		"LANG":     "C.UTF-8",
		"NODE_ENV": "production",
		"PORT":     strconv.Itoa(s.Port),
		// A hint: the app should listen on loopback only, behind the proxy.
		"HOST":              "127.0.0.1",
		"OTEL_SERVICE_NAME": s.App,
		"OTEL_RESOURCE_ATTRIBUTES": fmt.Sprintf("deployment.environment.name=%s,service.version=%s",
			s.Environment, s.Version),
	}
	if s.OFREPEndpoint != "" {
		env["OFREP_ENDPOINT"] = s.OFREPEndpoint
	}
	maps.Copy(env, s.Vars)
	maps.Copy(env, s.Secrets)
	return environList(env)
}

func environList(env map[string]string) []string {
	list := make([]string, 0, len(env))
	for _, k := range slices.Sorted(maps.Keys(env)) {
		list = append(list, k+"="+env[k])
	}
	return list
}
