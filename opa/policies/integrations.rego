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

# The issues below become deny and warn elements; a deny that an active
# exception covers becomes a warning that says so.
deny contains lib.element(i) if {
	some i in issues
	i.level == "deny"
	not lib.excepted[concat(".", ["runway.integrations", i.rule])]
}

warn contains lib.element(i) if {
	some i in issues
	i.level == "warn"
}

warn contains lib.allowed("runway.integrations", i) if {
	some i in issues
	i.level == "deny"
	lib.excepted[concat(".", ["runway.integrations", i.rule])]
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
	count(_needs_secret) > 0
	not input.manifest.flags.security_review
}
