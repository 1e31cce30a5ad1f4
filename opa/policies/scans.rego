# METADATA
# title: Scans must run, with fresh data
# description: |
#   A scan that did not run found nothing, which proves nothing. When the
#   secrets, vulnerability or static analysis scan did not run (it is
#   missing, was skipped or crashed; for vulnerabilities, also when it
#   reports no database age), production is blocked; elsewhere it is a
#   warning. A vulnerability database older than 7 days is a warning: new
#   advisories are missing from it.
package runway.scans

import data.runway.lib

# The issues below are the package's deny and warn elements, by level; a
# deny that an active exception covers becomes a warning that says so.
# Runway reads the issues directly (ADR 0007); deny and warn say the same
# in Rego, for tests and for policies that read them.
deny contains lib.element(i) if {
	some i in issues
	i.level == "deny"
	not lib.excepts("runway.scans", i)
}

warn contains lib.element(i) if {
	some i in issues
	i.level == "warn"
}

warn contains lib.allowed("runway.scans", i) if {
	some i in issues
	i.level == "deny"
	lib.excepts("runway.scans", i)
}

_required := {"secrets", "vulnerabilities", "sast"}

_words := {
	"secrets": "secrets scan",
	"vulnerabilities": "vulnerability scan",
	"sast": "static analysis",
}

# _missing are the required scans that did not run to the end; the
# vulnerability scan also counts as missing when it reports no database
# age.
_missing := _required - _proven

_proven := lib.ran_checks if {
	_has_db_age
} else := lib.ran_checks - {"vulnerabilities"}

# A helper rule, not "not is_number(...)" inline: OPA would evaluate the
# reference outside the negation and drop the rule when it is undefined.
_has_db_age if is_number(lib.checks.vulnerabilities.details.db_age_days)

default _level := "warn"

_level := "deny" if lib.production

issues contains {
	"rule": "scan_did_not_run",
	"level": _level,
	"msg": sprintf("These scans did not run, so they prove nothing: %s", [concat(", ", sort({_words[n] | some n in _missing}))]),
	"why": "A scan that did not run found nothing; shipping to production on that would be a guess.",
	"fix": "Look at each scan's line in the checks list for why it did not run (a missing vulnerability database: run `runway db update`), fix it, then run `runway check` again.",
	"exception_by": "security",
} if count(_missing) > 0

issues contains {
	"rule": "stale_vulnerability_db",
	"level": "warn",
	"msg": sprintf("The vulnerability database is %v days old (more than 7)", [age]),
	"why": "Advisories published since the database was updated are missing from it, so new vulnerabilities go unnoticed.",
	"fix": "Run `runway db update` (or ask the platform team to refresh the shared database), then run `runway check` again.",
	"exception_by": "security",
} if {
	age := lib.checks.vulnerabilities.details.db_age_days
	is_number(age)
	age > 7
}
