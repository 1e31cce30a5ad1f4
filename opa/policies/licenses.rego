# METADATA
# title: Licences the organisation accepts
# description: |
#   Some licences oblige the organisation to publish its own code when it
#   runs the software for others (strong copyleft such as AGPL and SSPL).
#   A dependency shipped with the app (not a dev-only one) whose licence is
#   on the deny list blocks tier 3 apps and is a warning below. When the
#   organisation keeps an allow list, a licence not on it is treated the
#   same way. A licence expression with a choice ("MIT OR AGPL-3.0-only")
#   is fine when one acceptable choice exists.
#   The lists come from data.runway.config.licenses (Runway's licence
#   options); by default the deny list is AGPL-* and SSPL-* and there is no
#   allow list.
package runway.licenses

import data.runway.lib

# The issues below are the package's deny and warn elements, by level; a
# deny that an active exception covers becomes a warning that says so.
# Runway reads the issues directly (ADR 0007); deny and warn say the same
# in Rego, for tests and for policies that read them.
deny contains lib.element(i) if {
	some i in issues
	i.level == "deny"
	not lib.excepts("runway.licenses", i)
}

warn contains lib.element(i) if {
	some i in issues
	i.level == "warn"
}

warn contains lib.allowed("runway.licenses", i) if {
	some i in issues
	i.level == "deny"
	lib.excepts("runway.licenses", i)
}

# Helper rules with defaults: a list missing from data must not make
# "not x in list" silently true or false.
default deny_list := ["AGPL-*", "SSPL-*"]

deny_list := data.runway.config.licenses.deny if is_array(data.runway.config.licenses.deny)

default allow_list := []

allow_list := data.runway.config.licenses.allow if is_array(data.runway.config.licenses.allow)

# Entries are compared ignoring case; an entry ending in "*" matches every
# id that starts with the rest. Everything below is computed once per
# decision, over the few distinct licence ids the app uses.
_deny_exact := {lower(e) | some e in deny_list; not endswith(e, "*")}

_deny_prefixes := {lower(trim_suffix(e, "*")) | some e in deny_list; endswith(e, "*")}

_allow_exact := {lower(e) | some e in allow_list; not endswith(e, "*")}

_allow_prefixes := {lower(trim_suffix(e, "*")) | some e in allow_list; endswith(e, "*")}

# ids are the licence ids the shipped dependencies' licences mention
# (lib.summary gathers them, once each).
ids := {id | some id in lib.summary.license_ids}

# denied_ids are the ids on the deny list.
denied_ids contains id if {
	some id in ids
	_deny_exact[lower(id)]
}

denied_ids contains id if {
	some id in ids
	strings.any_prefix_match(lower(id), _deny_prefixes)
}

# unlisted_ids are the ids missing from the allow list, when there is one.
unlisted_ids contains id if {
	count(allow_list) > 0
	some id in ids
	not _listed[id]
}

_listed contains id if {
	some id in ids
	_allow_exact[lower(id)]
}

_listed contains id if {
	some id in ids
	strings.any_prefix_match(lower(id), _allow_prefixes)
}

_bad := denied_ids | unlisted_ids

# _suspect is true when some id may be refused: a few set operations over
# all the ids at once, so that an app whose licences are all fine never
# pays for the id-by-id rules above.
_suspect if {
	lowered := {lower(id) | some id in lib.summary.license_ids}
	some found in [count(lowered & _deny_exact) > 0, strings.any_prefix_match(lowered, _deny_prefixes), count(allow_list) > 0]
	found
}

# A licence is refused when every choice it offers contains a denied (or,
# with an allow list, an unlisted) licence id. Without any such id, no
# licence is looked at.
_refused contains sprintf("%s (%s)", [l.expression, lib.short_list(_users(l.expression))]) if {
	_suspect
	count(_bad) > 0
	some l in input.sbom.licenses
	count(l.choices) > 0
	acceptable := [choice | some choice in l.choices; count({id | some id in choice} & _bad) == 0]
	count(acceptable) == 0
}

# _users names the shipped components under a licence; only refused
# licences need them, so the components are not walked otherwise.
_users(expression) := sort({sprintf("%s@%s", [c.name, c.version]) |
	some c in input.sbom.components
	not c.dev
	expression in c.licenses
})

default _level := "warn"

_level := "deny" if lib.tier == 3

issues contains {
	"rule": "refused_license",
	"level": _level,
	"msg": sprintf("Dependencies have licences the organisation does not accept: %s", [lib.short_list(sort(_refused))]),
	"why": "Strong copyleft licences such as AGPL and SSPL can oblige the organisation to publish the app's own code when others use it.",
	"fix": "Replace each of these packages with one under an accepted licence (ask your AI assistant for an alternative), or ask the platform team whether the licence is acceptable for this app. Then run `runway check` again.",
	"exception_by": "platform",
} if count(_refused) > 0
