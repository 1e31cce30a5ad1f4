package runway.gate_test

import data.runway.gate

test_missing_manifest_blocks if {
	some d in gate.deny with input as {"manifest": null, "checks": []}
	d.rule == "manifest_unreadable"
}

test_crashed_app_check_blocks_but_scanners_are_left_to_scans if {
	checks := [{"name": "lint", "status": "error", "summary": "Stopped after 10m"}, {"name": "sast", "status": "error", "summary": "x"}]
	got := gate.deny with input as {"manifest": {}, "checks": checks}
	count(got) == 1
	some d in got
	d.msg == "The lint check could not finish: Stopped after 10m"
}

test_failed_checks_are_judged_by_their_findings if {
	count(gate.deny) == 0 with input as {"manifest": {}, "checks": [{"name": "test", "status": "fail", "summary": "1 failed"}]}
}

# Nobody can except a rule whose exception_by is "none", even with an
# active exception for it.
test_no_exception_for_an_unreadable_manifest if {
	exc := {"rule": "runway.gate.manifest_unreadable", "active": true, "approver": "sam", "reason": "trying", "expires": "2030-01-01"}
	inp := {"manifest": null, "checks": [], "exceptions": [exc]}
	some d in gate.deny with input as inp
	d.rule == "manifest_unreadable"
	count(gate.warn) == 0 with input as inp
}
