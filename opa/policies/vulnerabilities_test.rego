package runway.vulnerabilities_test

import data.runway.vulnerabilities

_vuln(severity, fixed) := {
	"kind": "vulnerability", "severity": severity, "suppressed": false, "file": "package-lock.json", "line": 0,
	"package": {"ecosystem": "npm", "name": "lodash", "version": "4.17.20", "fixed": fixed},
}


test_fixable_high_blocks_tier_2_and_3_outside_the_sandbox if {
	every tier in [2, 3] {
		every env in ["staging", "production"] {
			got := vulnerabilities.deny with input as {"findings": [_vuln("high", "4.17.21")], "environment": env}
				with data.runway.risk.tier as tier
			some d in got
			contains(d.msg, "lodash 4.17.20 (fixed in 4.17.21)")
		}
	}
}

test_fixable_critical_only_warns_in_the_sandbox_and_at_tier_1 if {
	in_sandbox := {"findings": [_vuln("critical", "4.17.21")], "environment": "sandbox"}
	count(vulnerabilities.deny) == 0 with input as in_sandbox with data.runway.risk.tier as 3
	count(vulnerabilities.warn) == 1 with input as in_sandbox with data.runway.risk.tier as 3
	tier1 := {"findings": [_vuln("critical", "4.17.21")], "environment": "production"}
	count(vulnerabilities.deny) == 0 with input as tier1 with data.runway.risk.tier as 1
	count(vulnerabilities.warn) == 1 with input as tier1 with data.runway.risk.tier as 1
}

test_without_a_fix_or_at_medium_it_is_left_to_the_report if {
	inp := {"findings": [_vuln("high", ""), _vuln("medium", "4.17.21")], "environment": "production"}
	count(vulnerabilities.deny) == 0 with input as inp with data.runway.risk.tier as 3
	count(vulnerabilities.warn) == 0 with input as inp with data.runway.risk.tier as 3
}

test_suppressed_vulnerability_does_not_count if {
	f := object.union(_vuln("high", "4.17.21"), {"suppressed": true})
	count(vulnerabilities.deny) == 0 with input as {"findings": [f], "environment": "production"} with data.runway.risk.tier as 3
}
