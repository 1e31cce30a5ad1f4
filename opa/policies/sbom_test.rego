package runway.sbom_test

import data.runway.sbom

test_sbom_required_from_tier_2_outside_the_sandbox if {
	count(sbom.deny) == 1 with input as {"sbom": {"generated": false, "available": true}, "environment": "staging"} with data.runway.risk.tier as 2
	count(sbom.deny) == 0 with input as {"sbom": {"generated": false, "available": true}, "environment": "sandbox"} with data.runway.risk.tier as 2
	count(sbom.warn) == 1 with input as {"sbom": {"generated": false, "available": true}, "environment": "sandbox"} with data.runway.risk.tier as 2
	count(sbom.deny) == 0 with input as {"sbom": {"generated": false, "available": true}, "environment": "production"} with data.runway.risk.tier as 1
	count(sbom.deny) == 0 with input as {"sbom": {"generated": true, "available": true}, "environment": "production"} with data.runway.risk.tier as 3
}

test_missing_sbom_section_counts_as_no_sbom if {
	count(sbom.deny) == 1 with input as {"environment": "production"} with data.runway.risk.tier as 3
}

test_unavailable_inventory_warns if {
	some w in sbom.warn with input as {"sbom": {"generated": true, "available": false, "error": "no lockfile"}, "environment": "production"} with data.runway.risk.tier as 1
	w.rule == "inventory_unavailable"
	contains(w.msg, "no lockfile")
}
