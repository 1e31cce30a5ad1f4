# METADATA
# title: Serious code weaknesses block sensitive apps
# description: |
#   A critical or high finding of static analysis (SAST: code that can be
#   attacked, such as SQL built from user input) blocks tier 3 apps, which
#   handle sensitive data or face many people. For tier 1 and 2 apps it is a
#   warning.
package runway.sast

import data.runway.lib

# The issues below are the package's deny and warn elements, by level; a
# deny that an active exception covers becomes a warning that says so.
# Runway reads the issues directly (ADR 0007); deny and warn say the same
# in Rego, for tests and for policies that read them.
deny contains lib.element(i) if {
	some i in issues
	i.level == "deny"
	not lib.excepts("runway.sast", i)
}

warn contains lib.element(i) if {
	some i in issues
	i.level == "warn"
}

warn contains lib.allowed("runway.sast", i) if {
	some i in issues
	i.level == "deny"
	lib.excepts("runway.sast", i)
}

# lib.summary lists the open critical and high weaknesses: only they are
# looked at.
_serious contains lib.place(input.findings[i]) if {
	some i in lib.summary.serious.sast
}

default _level := "warn"

_level := "deny" if lib.tier == 3

# _ids are the findings the issue is about: a deny makes them block.
_ids := [input.findings[i].id | some i in lib.summary.serious.sast]

issues contains {
	"rule": "serious_weakness",
	"level": _level,
	"msg": sprintf("Static analysis found serious weaknesses in the code: %s", [lib.short_list(sort(_serious))]),
	"why": "These patterns are how apps get broken into: an attacker can read or change data through them. Tier 3 apps hold data that must not leak.",
	"fix": "Fix each place listed under the static analysis findings (each has its own fix), or, when a finding is wrong, accept it with a `runway:allow` comment that says why. Then run `runway check` again.",
	"exception_by": "security",
	"findings": _ids,
} if count(_serious) > 0
