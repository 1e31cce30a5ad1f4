# METADATA
# title: Apps that matter have tests
# description: |
#   An app without tests breaks without anyone noticing. With no test
#   command (or a test check that did not run), a tier 2 app gets a warning
#   and a tier 3 app is blocked from production (a warning elsewhere).
package runway.tests

import data.runway.lib

# The issues below are the package's deny and warn elements, by level; a
# deny that an active exception covers becomes a warning that says so.
# Runway reads the issues directly (ADR 0007); deny and warn say the same
# in Rego, for tests and for policies that read them.
deny contains lib.element(i) if {
	some i in issues
	i.level == "deny"
	not lib.excepts("runway.tests", i)
}

warn contains lib.element(i) if {
	some i in issues
	i.level == "warn"
}

warn contains lib.allowed("runway.tests", i) if {
	some i in issues
	i.level == "deny"
	lib.excepts("runway.tests", i)
}

default _level := "warn"

_level := "deny" if {
	lib.tier == 3
	lib.production
}

_no_tests if not lib.ran("test")

issues contains {
	"rule": "no_tests",
	"level": _level,
	"msg": sprintf("The app has no tests that ran, and it is a tier %d app", [lib.tier]),
	"why": "Without tests, a change can break the app without anyone noticing until its users do.",
	"fix": "Add tests and a `test:` command under `run:` in runway.yaml (for example `test: npm test`); ask your AI assistant to write tests for the app's main paths. Then run `runway check` again.",
	"exception_by": "team-lead",
} if {
	lib.tier >= 2
	_no_tests
}
