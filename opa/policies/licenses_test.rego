package runway.licenses_test

import data.runway.licenses

_lic(expr, choices) := {"expression": expr, "choices": choices, "components": 1}

_sbom(licences) := {
	"licenses": licences,
	"components": [{"name": "server-lib", "version": "1.0.0", "dev": false, "licenses": [l.expression]} | some l in licences],
}

_agpl := _lic("AGPL-3.0-only", [["AGPL-3.0-only"]])

test_agpl_blocks_tier_3_by_default if {
	some d in licenses.deny with input as {"sbom": _sbom([_agpl])} with data.runway.risk.tier as 3
	contains(d.msg, "AGPL-3.0-only (server-lib@1.0.0)")
}

test_agpl_warns_below_tier_3 if {
	count(licenses.deny) == 0 with input as {"sbom": _sbom([_agpl])} with data.runway.risk.tier as 2
	count(licenses.warn) == 1 with input as {"sbom": _sbom([_agpl])} with data.runway.risk.tier as 2
}

# The pitfall: with no configuration in data at all, the default deny list
# must still apply (a "not x in data.missing" test would silently pass).
test_default_deny_list_applies_without_any_configuration if {
	licenses.deny_list == ["AGPL-*", "SSPL-*"]
	inp := {"sbom": _sbom([_lic("sspl-1.0", [["sspl-1.0"]]), _lic("MIT", [["MIT"]])])}
	licenses.denied_ids == {"sspl-1.0"} with input as inp
	count(licenses.deny) == 1 with input as inp with data.runway.risk.tier as 3
}

test_a_choice_with_an_acceptable_licence_is_fine if {
	dual := _lic("MIT OR AGPL-3.0-only", [["MIT"], ["AGPL-3.0-only"]])
	count(licenses.deny) == 0 with input as {"sbom": _sbom([dual])} with data.runway.risk.tier as 3
	both := _lic("MIT AND AGPL-3.0-only", [["AGPL-3.0-only", "MIT"]])
	count(licenses.deny) == 1 with input as {"sbom": _sbom([both])} with data.runway.risk.tier as 3
}

test_configured_deny_list_replaces_the_default if {
	mit := _lic("MIT", [["MIT"]])
	count(licenses.deny) == 1 with input as {"sbom": _sbom([mit])}
		with data.runway.risk.tier as 3
		with data.runway.config.licenses.deny as ["MIT"]
	count(licenses.deny) == 0 with input as {"sbom": _sbom([_agpl])}
		with data.runway.risk.tier as 3
		with data.runway.config.licenses.deny as ["MIT"]
}

test_allow_list_refuses_unlisted_licences if {
	inp := {"sbom": _sbom([_lic("MIT", [["MIT"]]), _lic("BSD-3-Clause", [["BSD-3-Clause"]])])}
	got := licenses.deny with input as inp
		with data.runway.risk.tier as 3
		with data.runway.config.licenses.allow as ["MIT", "Apache-*"]
	count(got) == 1
	some d in got
	contains(d.msg, "BSD-3-Clause")
	not contains(d.msg, "MIT")
}

test_licences_without_choices_are_not_judged if {
	count(licenses.deny) == 0 with input as {"sbom": {"licenses": [_lic("", [])]}} with data.runway.risk.tier as 3
}
