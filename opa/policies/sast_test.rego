package runway.sast_test

import data.runway.sast

_weakness(severity) := {"kind": "sast", "severity": severity, "suppressed": false, "file": "app.js", "line": 12, "title": "SQL built from input"}

test_high_blocks_tier_3_only if {
	inp := {"findings": [_weakness("high")], "environment": "production"}
	count(sast.deny) == 1 with input as inp with data.runway.risk.tier as 3
	count(sast.deny) == 0 with input as inp with data.runway.risk.tier as 2
	count(sast.warn) == 1 with input as inp with data.runway.risk.tier as 2
}

test_medium_is_left_to_the_report if {
	inp := {"findings": [_weakness("medium")], "environment": "production"}
	count(sast.deny) == 0 with input as inp with data.runway.risk.tier as 3
	count(sast.warn) == 0 with input as inp with data.runway.risk.tier as 3
}
