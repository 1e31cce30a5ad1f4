# METADATA
# title: Fix known vulnerabilities that have a fix
# description: |
#   A dependency with a critical or high vulnerability that already has a
#   fixed version blocks staging and production for tier 2 and tier 3 apps:
#   the fix is usually one upgrade away. In a sandbox, and for tier 1 apps,
#   it is a warning.
package runway.vulnerabilities

import data.runway.lib

# The issues below become deny and warn elements; a deny that an active
# exception covers becomes a warning that says so.
deny contains lib.element(i) if {
	some i in issues
	i.level == "deny"
	not lib.excepted[concat(".", ["runway.vulnerabilities", i.rule])]
}

warn contains lib.element(i) if {
	some i in issues
	i.level == "warn"
}

warn contains lib.allowed("runway.vulnerabilities", i) if {
	some i in issues
	i.level == "deny"
	lib.excepted[concat(".", ["runway.vulnerabilities", i.rule])]
}

_fixable contains sprintf("%s %s (fixed in %s)", [f.package.name, f.package.version, f.package.fixed]) if {
	some f in input.findings
	f.kind == "vulnerability"
	lib.serious[f.severity]
	not f.suppressed
	f.package.fixed != ""
}

default _level := "warn"

_level := "deny" if {
	lib.tier >= 2
	lib.deploying
}

issues contains {
	"rule": "fixable_vulnerability",
	"level": _level,
	"msg": sprintf("Dependencies with critical or high vulnerabilities that have a fix: %s", [lib.short_list(sort(_fixable))]),
	"why": "Attackers look for known vulnerabilities first; these already have a fixed version, so upgrading closes them at little cost.",
	"fix": "Upgrade each package to the fixed version shown (npm: `npm install NAME@VERSION`; Go: `go get MODULE@VERSION && go mod tidy`; Python: raise the version in requirements), commit the lockfile, then run `runway check` again.",
	"exception_by": "security",
} if count(_fixable) > 0
