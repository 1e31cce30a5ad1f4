package runway.scans_test

import data.runway.scans

_ran := [
	{"name": "secrets", "status": "pass"},
	{"name": "vulnerabilities", "status": "pass", "details": {"db_age_days": 1}},
	{"name": "sast", "status": "warn"},
]

test_all_scans_ran_with_fresh_data if {
	count(scans.deny) == 0 with input as {"checks": _ran, "environment": "production"}
	count(scans.warn) == 0 with input as {"checks": _ran, "environment": "production"}
}

test_a_scan_that_did_not_run_blocks_production if {
	checks := [_ran[0], _ran[1], {"name": "sast", "status": "error"}]
	some d in scans.deny with input as {"checks": checks, "environment": "production"}
	d.rule == "scan_did_not_run"
	d.msg == "These scans did not run, so they prove nothing: static analysis"
}

test_a_scan_that_did_not_run_warns_elsewhere if {
	count(scans.deny) == 0 with input as {"checks": [], "environment": "staging"}
	some w in scans.warn with input as {"checks": [], "environment": "staging"}
	w.msg == "These scans did not run, so they prove nothing: secrets scan, static analysis, vulnerability scan"
}

test_vulnerability_scan_without_database_age_did_not_run if {
	checks := [_ran[0], {"name": "vulnerabilities", "status": "pass"}, _ran[2]]
	count(scans.deny) == 1 with input as {"checks": checks, "environment": "production"}
}

test_old_database_warns if {
	checks := [_ran[0], {"name": "vulnerabilities", "status": "pass", "details": {"db_age_days": 9}}, _ran[2]]
	some w in scans.warn with input as {"checks": checks, "environment": "production"}
	w.rule == "stale_vulnerability_db"
	w.msg == "The vulnerability database is 9 days old (more than 7)"
	count(scans.deny) == 0 with input as {"checks": checks, "environment": "production"}
}
