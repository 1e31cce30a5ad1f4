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

# The issues below become deny and warn elements; a deny that an active
# exception covers becomes a warning that says so.
deny contains lib.element(i) if {
	some i in issues
	i.level == "deny"
	not lib.excepted[concat(".", ["runway.licenses", i.rule])]
}

warn contains lib.element(i) if {
	some i in issues
	i.level == "warn"
}

warn contains lib.allowed("runway.licenses", i) if {
	some i in issues
	i.level == "deny"
	lib.excepted[concat(".", ["runway.licenses", i.rule])]
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
_exact(list) := {lower(e) | some e in list; not endswith(e, "*")}

_prefixes(list) := {lower(trim_suffix(e, "*")) | some e in list; endswith(e, "*")}

_deny_exact := _exact(deny_list)

_deny_prefixes := _prefixes(deny_list)

_allow_exact := _exact(allow_list)

_allow_prefixes := _prefixes(allow_list)

# ids are the licence ids the shipped dependencies' licences mention.
ids contains id if {
	some l in input.sbom.licenses
	some choice in l.choices
	some id in choice
}

# denied_ids are the ids on the deny list.
denied_ids contains id if {
	some id in ids
	lower(id) in _deny_exact
}

denied_ids contains id if {
	some id in ids
	some p in _deny_prefixes
	startswith(lower(id), p)
}

# unlisted_ids are the ids missing from the allow list, when there is one.
unlisted_ids contains id if {
	count(allow_list) > 0
	some id in ids
	not _listed[id]
}

_listed contains id if {
	some id in ids
	lower(id) in _allow_exact
}

_listed contains id if {
	some id in ids
	some p in _allow_prefixes
	startswith(lower(id), p)
}

_bad := denied_ids | unlisted_ids

# A licence is refused when every choice it offers contains a denied (or,
# with an allow list, an unlisted) licence id.
_refused contains sprintf("%s (%s)", [l.expression, lib.short_list(_users(l.expression))]) if {
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
