// Package connector is Runway's low-code connector: a connector.yaml beside
// runway.yaml that says what starts a run (a web request, a signed webhook
// or a schedule) and which steps follow (prebuilt actions such as
// slack.post_message or postgres.query, transform, if, switch, a bounded
// foreach, respond). Expressions are CEL (github.com/google/cel-go):
// type-checked when the file is loaded, with messages a non-developer can
// act on, and safe to run (no loops, no I/O, a cost limit).
//
// The platform makes every outbound call itself: only to hosts runway.yaml
// declares, through the egress client (resolved addresses checked at
// connect time, private ranges refused unless declared by address,
// redirects re-checked), with secrets resolved by name for declared
// integrations only and their values redacted from every log, run record
// and error. The Engine runs a connector (in `runway dev`, later as an app
// kind of the runtime) with timeouts, retries with backoff, idempotency
// keys, run history, a dead-letter list that can be replayed, and an
// OpenTelemetry span per step. Examples (tests/*.yaml) run the same engine
// against recording stubs; Step puts both into the gate.
//
// connector imports the root package, schema, yamlfile and egress; nothing
// else of Runway.
package connector
