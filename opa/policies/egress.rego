# METADATA
# title: Every outbound host is declared
# description: |
#   The platform blocks network traffic to any host that runway.yaml does not
#   list under `integrations:`, so an undeclared host means a feature that
#   breaks in production, or data going somewhere nobody reviewed. Hosts the
#   scanners saw in the code (the `outbound_hosts` detail of any check) must
#   each be declared exactly; wildcards are not allowed. Blocks staging and
#   production; a warning in a sandbox.
package runway.egress

import data.runway.lib

# The issues below are the package's deny and warn elements, by level; a
# deny that an active exception covers becomes a warning that says so.
# Runway reads the issues directly (ADR 0007); deny and warn say the same
# in Rego, for tests and for policies that read them.
deny contains lib.element(i) if {
	some i in issues
	i.level == "deny"
	not lib.excepts("runway.egress", i)
}

warn contains lib.element(i) if {
	some i in issues
	i.level == "warn"
}

warn contains lib.allowed("runway.egress", i) if {
	some i in issues
	i.level == "deny"
	lib.excepts("runway.egress", i)
}

_declared := {i.host | some i in input.manifest.integrations}

# lib.summary gathers the hosts every check saw, once each.
_undeclared := {h | some h in lib.summary.outbound_hosts; not _declared[h]}

_wildcards contains h if {
	some h in _declared
	contains(h, "*")
}

default _level := "warn"

_level := "deny" if lib.deploying

issues contains {
	"rule": "undeclared_host",
	"level": _level,
	"msg": sprintf("The code talks to hosts that runway.yaml does not declare: %s", [lib.short_list(sort(_undeclared))]),
	"why": "The platform blocks traffic to hosts that are not declared, so these calls fail in production; and data sent to an unreviewed host can leak.",
	"fix": "Add each host under `integrations:` in runway.yaml (`name`, `host`, and `requires_secret`/`secret` if it needs a key), or remove the calls. Then run `runway check` again.",
	"exception_by": "platform",
} if count(_undeclared) > 0

issues contains {
	"rule": "wildcard_host",
	"level": _level,
	"msg": sprintf("runway.yaml declares hosts with wildcards: %s", [lib.short_list(sort(_wildcards))]),
	"why": "A wildcard lets the app send data to hosts nobody reviewed.",
	"fix": "Replace each wildcard with the exact host names the app calls. Then run `runway check` again.",
	"exception_by": "platform",
} if count(_wildcards) > 0
