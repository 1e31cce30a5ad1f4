// Package opa is Runway's policy engine: it decides whether an app may ship
// (pass, needs_approval or blocked), at which risk tier, and with whose
// approval, by evaluating policies as code written in Rego with the Open
// Policy Agent library (github.com/open-policy-agent/opa/v1/rego).
//
// It evaluates the built-in bundle (policies/*.rego, embedded, each with its
// _test.rego) beside the organisation's policies: folders of .rego files,
// single files and OPA bundle archives (.tar.gz), in Rego v0 or v1 syntax.
// Policies are parsed, compiled and the query prepared once, in New; each
// decision then evaluates one query on an input converted directly from
// the report. Anything wrong with a policy is an error naming its file,
// line and rule, and a decision never silently passes: no manifest means
// tier 3 and blocked, and an evaluation error blocks.
//
// # Outputs
//
// Every package may define:
//
//   - deny: a set of messages; any deny blocks the app.
//   - warn: a set of messages; shown, never blocking.
//   - approvals: a set of roles ("team-lead", "security", ...) whose
//     approval is required, or objects {"role": R, "reason": "why"}.
//   - tier: a number 1-3 that raises the app's tier.
//   - allow: a boolean; true lets a tier-1 app skip approvals.
//
// A deny or warn element is either a plain string (the message) or an
// object with richer fields:
//
//	{"msg": "what happened", "why": "why it matters", "fix": "what to do",
//	 "rule": "short_id", "exception_by": "security"}
//
// msg is required; rule names the element's rule as "<package>.<rule>"
// (default "<package>.deny" or "<package>.warn"); exception_by is the role
// who can grant an exception ("none" when none can be granted; default
// platform). docs/policy.md is the guide for policy authors.
//
// # Input
//
// input.manifest (runway.yaml), input.risk.declared, input.findings (each
// with suppressed), input.checks (with details), input.sbom (components,
// licenses, generated, available), input.environment, input.candidate,
// input.approvals and input.exceptions (for this app, each marked active or
// not), and input.summary: facts derived from the rest (open and serious
// findings by kind, fixable vulnerabilities, outbound hosts, licence ids),
// so that policies look them up instead of walking the lists on every
// decision. The effective tier is data.runway.risk.tier
// (data.runway.lib.tier).
//
// It imports the root package, schema (the exceptions file's schema) and
// yamlfile (to read that file); it must not import any other Runway
// package: check wires it in as a runway.Decider through cmd/runway.
package opa
