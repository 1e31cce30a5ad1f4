// Package supervisor is the local runtime: it builds an app version in an
// isolated work directory (recording the artifact's digest) and runs it as
// supervised processes on this machine.
//
// Each process gets a clean environment (PATH, HOME, LANG, PORT, HOST,
// OFREP_ENDPOINT, NODE_ENV, the OpenTelemetry service variables, the
// spec's variables and its declared secrets; never Runway's own RUNWAY_*
// variables), runs in its own process group with sh -c, has its output
// captured in a log file with the secret values redacted, is health-checked
// over HTTP on 127.0.0.1:PORT, and is restarted with exponential backoff
// when it exits or stays unhealthy. Resource limits are applied before the
// app's command starts: a cgroup v2 per process (memory.max, cpu.max,
// pids.max) where the machine delegates one, rlimits otherwise
// (docs/runtime-isolation.md says what each enforces and what no local
// mechanism can).
//
// Every process is recorded in a state file under the data directory
// before its command runs, so that after a restart of Runway the release
// state machine can Adopt the processes it still wants and Reap the rest:
// no app runs twice.
//
// The package imports only the root runway package (and the standard
// library and golang.org/x/sys). It reads no environment variables and no
// global configuration: everything comes through Options and Spec.
package supervisor
