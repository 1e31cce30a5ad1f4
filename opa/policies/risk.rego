# METADATA
# title: Risk tier
# description: |
#   Works out the app's effective tier from facts, each with its reason in
#   plain words:
#   - tier 3 when it handles personal, financial or health data or other
#     systems' credentials; when people outside the team's organisation use
#     it (external) or the whole organisation does (org); when 500 or more
#     people use it; when it sends a secret to an outside service without a
#     security review; when it talks to 5 or more outside services;
#   - tier 2 when it handles internal data, is used by a team or by 20 or
#     more people, talks to any outside service, depends on 300 or more
#     packages, or has open critical or high findings;
#   - tier 1 otherwise: a personal app with no sensitive data.
#   The declared risk (low 1, medium 2, high 3) can raise the tier, never
#   lower it, and so can any organisation policy that defines `tier`.
package runway.risk

import data.runway.lib

# tier is the effective tier: the highest tier any fact calls for.
tier := max({f.tier | some f in factors} | {1})

# reasons are the facts behind the tier, in words: "handles personal data
# (pii) → tier 3".
reasons contains sprintf("%s → tier %d", [f.reason, f.tier]) if some f in factors

# effective is the risk level of the tier: low, medium or high.
effective := ["low", "medium", "high"][tier - 1]

_data_words := {
	"internal": "internal data",
	"pii": "personal data (pii)",
	"financial": "financial data",
	"health": "health data",
	"credentials": "credentials of other systems",
}

_sensitive := {"pii", "financial", "health", "credentials"}

factors contains {"tier": 3, "reason": "runway.yaml could not be read, so nothing is known about the app"} if {
	input.manifest == null
}

factors contains {"tier": 3, "reason": sprintf("handles %s", [_data_words[d]])} if {
	some d in input.manifest.data
	d in _sensitive
}

factors contains {"tier": 2, "reason": "handles internal data"} if {
	"internal" in input.manifest.data
}

_audience := {
	"personal": {"tier": 1, "reason": "is a personal app"},
	"team": {"tier": 2, "reason": "is used by a team"},
	"org": {"tier": 3, "reason": "is used across the whole organisation (org)"},
	"external": {"tier": 3, "reason": "is used by people outside the organisation (external)"},
}

factors contains a if a := _audience[input.manifest.audience]

factors contains {"tier": 1, "reason": "handles no data that needs protecting"} if {
	input.manifest != null
	count(object.get(input.manifest, "data", [])) == 0
}

factors contains {"tier": 3, "reason": sprintf("expects %d users (500 or more)", [n])} if {
	n := input.manifest.expected_users
	n >= 500
}

factors contains {"tier": 2, "reason": sprintf("expects %d users (20 or more)", [n])} if {
	n := input.manifest.expected_users
	n >= 20
	n < 500
}

factors contains {"tier": 3, "reason": sprintf("sends a secret to %s (%s) without a security review", [i.host, i.name])} if {
	some i in input.manifest.integrations
	i.requires_secret
	not input.manifest.flags.security_review
}

factors contains {"tier": 2, "reason": sprintf("sends a secret to %s (%s), marked for security review", [i.host, i.name])} if {
	some i in input.manifest.integrations
	i.requires_secret
	input.manifest.flags.security_review
}

factors contains {"tier": 2, "reason": sprintf("talks to an outside service: %s", [i.host])} if {
	count(_hosts) < 5
	some i in input.manifest.integrations
	not i.requires_secret
}

factors contains {"tier": 3, "reason": sprintf("talks to %d outside services (5 or more)", [count(_hosts)])} if {
	count(_hosts) >= 5
}

_hosts := {i.host | some i in input.manifest.integrations}

factors contains {"tier": 2, "reason": sprintf("depends on %d packages (300 or more)", [n])} if {
	n := count(input.sbom.components)
	n >= 300
}

# The serious open findings come counted by kind in lib.summary: no walk
# over the findings.
factors contains {"tier": 2, "reason": sprintf("has %d open critical or high findings", [n])} if {
	n := sum([count(ix) | some ix in lib.summary.serious])
	n > 0
}

factors contains {"tier": t, "reason": sprintf("you declared risk %s", [input.manifest.risk])} if {
	t := {"low": 1, "medium": 2, "high": 3}[input.manifest.risk]
}

# Organisation policies raise the tier by defining `tier`; Runway lists
# them in data.runway.engine.raises.
factors contains {"tier": r.tier, "reason": sprintf("policy %s raises it", [r.package])} if {
	some r in data.runway.engine.raises
	is_number(r.tier)
}
