# METADATA
# title: No secrets in the code
# description: |
#   A password, token or key written in the code can be read by anyone who
#   can read the repository, and it stays in the history even after it is
#   deleted. Every secret the secrets check found that nobody accepted
#   (suppressed) blocks the app, at every tier and in every environment.
package runway.secrets

import data.runway.lib

# The issues below are the package's deny and warn elements, by level; a
# deny that an active exception covers becomes a warning that says so.
# Runway reads the issues directly (ADR 0007); deny and warn say the same
# in Rego, for tests and for policies that read them.
deny contains lib.element(i) if {
	some i in issues
	i.level == "deny"
	not lib.excepts("runway.secrets", i)
}

warn contains lib.element(i) if {
	some i in issues
	i.level == "warn"
}

warn contains lib.allowed("runway.secrets", i) if {
	some i in issues
	i.level == "deny"
	lib.excepts("runway.secrets", i)
}

# lib.summary lists the open secrets: only they are looked at.
_open contains lib.place(input.findings[i]) if {
	some i in lib.summary.open.secret
}

# _ids are the findings the issue is about: a deny makes them block.
_ids := [input.findings[i].id | some i in lib.summary.open.secret]

issues contains {
	"rule": "secret_in_code",
	"level": "deny",
	"msg": sprintf("Secrets are written in the code: %s", [lib.short_list(sort(_open))]),
	"why": "Anyone who can read the repository can use a secret written in it, and it stays in the history even after it is deleted.",
	"fix": "Ask the owner of each secret to replace it (it must be treated as leaked), remove it from the code, and read it at run time from the platform's secret store instead: add it under `integrations:` in runway.yaml with `secret: NAME`. Then run `runway check` again.",
	"exception_by": "security",
	"findings": _ids,
} if count(_open) > 0
