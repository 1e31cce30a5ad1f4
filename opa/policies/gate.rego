# METADATA
# title: The gate itself must work
# description: |
#   Blocks when Runway cannot judge the app: runway.yaml is missing or has
#   problems, or one of the app's own checks (build, lint, test, or any check
#   that is not a scanner) crashed or ran out of time. Nothing is known about
#   such an app, so it cannot pass (fail closed).
package runway.gate

import data.runway.lib

# The issues below are the package's deny and warn elements, by level; a
# deny that an active exception covers becomes a warning that says so.
# Runway reads the issues directly (ADR 0007); deny and warn say the same
# in Rego, for tests and for policies that read them.
deny contains lib.element(i) if {
	some i in issues
	i.level == "deny"
	not lib.excepts("runway.gate", i)
}

warn contains lib.element(i) if {
	some i in issues
	i.level == "warn"
}

warn contains lib.allowed("runway.gate", i) if {
	some i in issues
	i.level == "deny"
	lib.excepts("runway.gate", i)
}

# Scanners are judged by runway.scans, which knows when a scan may be missing.
_scanners := {"secrets", "vulnerabilities", "sast", "sbom"}

issues contains {
	"rule": "manifest_unreadable",
	"level": "deny",
	"msg": "runway.yaml is missing or has problems, so Runway cannot tell what the app does",
	"why": "Policy decides from runway.yaml: who uses the app, what data it handles, what it talks to. Without it, the app is treated as the riskiest kind.",
	"fix": "Fix the runway.yaml problems listed above (or create it with `runway new`), then run `runway check` again.",
	"exception_by": "none",
} if input.manifest == null

issues contains {
	"rule": "check_crashed",
	"level": "deny",
	"msg": sprintf("The %s check could not finish: %s", [c.name, c.summary]),
	"why": "A check that did not finish proves nothing about the app, so it cannot count as passed.",
	"fix": sprintf("Open the %s check's log under .runway/logs/ to see why it stopped, fix the cause (often a command that waits for input or runs too long), then run `runway check` again.", [c.name]),
	"exception_by": "platform",
} if {
	some c in input.checks
	c.status == "error"
	not c.name in _scanners
}
