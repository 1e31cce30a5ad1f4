# METADATA
# title: Tier 2 and 3 apps have an SBOM
# description: |
#   The software bill of materials (SBOM) lists every package the app is
#   built from; the platform uses it to find apps hit by new
#   vulnerabilities, and security signs it off for tier 3. From tier 2 an
#   SBOM is required for staging and production (a warning in a sandbox).
#   When Runway could not list the app's dependencies at all, that is a
#   warning, because the licence and vulnerability rules could not look at
#   them.
package runway.sbom

import data.runway.lib

# The issues below are the package's deny and warn elements, by level; a
# deny that an active exception covers becomes a warning that says so.
# Runway reads the issues directly (ADR 0007); deny and warn say the same
# in Rego, for tests and for policies that read them.
deny contains lib.element(i) if {
	some i in issues
	i.level == "deny"
	not lib.excepts("runway.sbom", i)
}

warn contains lib.element(i) if {
	some i in issues
	i.level == "warn"
}

warn contains lib.allowed("runway.sbom", i) if {
	some i in issues
	i.level == "deny"
	lib.excepts("runway.sbom", i)
}

default _level := "warn"

_level := "deny" if lib.deploying

issues contains {
	"rule": "sbom_missing",
	"level": _level,
	"msg": sprintf("No SBOM was produced, and tier %d apps need one", [lib.tier]),
	"why": "Without the list of packages the app is built from, nobody can tell whether a newly announced vulnerability affects it.",
	"fix": "Make sure the app has a lockfile Runway can read (package-lock.json, go.sum, requirements.txt, ...) and that the sbom check runs, then run `runway check` again.",
	"exception_by": "platform",
} if {
	lib.tier >= 2
	not input.sbom.generated
}

issues contains {
	"rule": "inventory_unavailable",
	"level": "warn",
	"msg": sprintf("Runway could not list the app's dependencies: %s", [input.sbom.error]),
	"why": "The licence and vulnerability rules judge the dependencies; without the list they could not.",
	"fix": "Make sure the app's lockfile is committed and readable, then run `runway check` again.",
	"exception_by": "platform",
} if {
	input.sbom.available == false
}
