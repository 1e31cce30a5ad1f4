# METADATA
# title: Fix known vulnerabilities that have a fix
# description: |
#   A dependency with a critical or high vulnerability that already has a
#   fixed version blocks staging and production for tier 2 and tier 3 apps:
#   the fix is usually one upgrade away. In a sandbox, and for tier 1 apps,
#   it is a warning.
package runway.vulnerabilities

import data.runway.lib

# The issues below are the package's deny and warn elements, by level; a
# deny that an active exception covers becomes a warning that says so.
# Runway reads the issues directly (ADR 0007); deny and warn say the same
# in Rego, for tests and for policies that read them.
deny contains lib.element(i) if {
	some i in issues
	i.level == "deny"
	not lib.excepts("runway.vulnerabilities", i)
}

warn contains lib.element(i) if {
	some i in issues
	i.level == "warn"
}

warn contains lib.allowed("runway.vulnerabilities", i) if {
	some i in issues
	i.level == "deny"
	lib.excepts("runway.vulnerabilities", i)
}

# lib.summary lists the open critical and high vulnerabilities that have a
# fix: only they are looked at.
_fixable contains sprintf("%s %s (fixed in %s)", [f.package.name, f.package.version, f.package.fixed]) if {
	some i in lib.summary.fixable
	f := input.findings[i]
}

default _level := "warn"

_level := "deny" if {
	lib.tier >= 2
	lib.deploying
}

# _ids are the findings the issue is about: a deny makes them block.
_ids := [input.findings[i].id | some i in lib.summary.fixable]

issues contains {
	"rule": "fixable_vulnerability",
	"level": _level,
	"msg": sprintf("Dependencies with critical or high vulnerabilities that have a fix: %s", [lib.short_list(sort(_fixable))]),
	"why": "Attackers look for known vulnerabilities first; these already have a fixed version, so upgrading closes them at little cost.",
	"fix": "Upgrade each package to the fixed version shown (npm: `npm install NAME@VERSION`; Go: `go get MODULE@VERSION && go mod tidy`; Python: raise the version in requirements), commit the lockfile, then run `runway check` again.",
	"exception_by": "security",
	"findings": _ids,
} if count(_fixable) > 0
