# METADATA
# title: Integrations that need secrets need a security review
# description: |
#   An integration that needs a secret (a token or key for an outside
#   service) can leak data to that service or let it act in the
#   organisation's name. Such an app must be marked for a security review
#   (`flags.security_review: true` in runway.yaml), or ask the platform team
#   for credentials. This is the seed policy of the platform.
package runway.integrations

import data.runway.lib

# The issues below are the package's deny and warn elements, by level; a
# deny that an active exception covers becomes a warning that says so.
# Runway reads the issues directly (ADR 0007); deny and warn say the same
# in Rego, for tests and for policies that read them.
deny contains lib.element(i) if {
	some i in issues
	i.level == "deny"
	not lib.excepts("runway.integrations", i)
}

warn contains lib.element(i) if {
	some i in issues
	i.level == "warn"
}

warn contains lib.allowed("runway.integrations", i) if {
	some i in issues
	i.level == "deny"
	lib.excepts("runway.integrations", i)
}

_needs_secret contains sprintf("%s (%s)", [i.name, i.host]) if {
	some i in input.manifest.integrations
	i.requires_secret
}

issues contains {
	"rule": "secret_needs_review",
	"level": "deny",
	"msg": sprintf("Integrations need secrets but the app is not marked for a security review: %s", [lib.short_list(sort(_needs_secret))]),
	"why": "A secret for an outside service lets the app act in the organisation's name there; someone from security must look at how it is used.",
	"fix": "Set `security_review: true` under `flags:` in runway.yaml so the security team reviews the app, or ask the platform team for credentials that it manages. Then run `runway check` again.",
	"exception_by": "security",
} if {
	not input.manifest.flags.security_review
	count(_needs_secret) > 0
}
