package runway.tests_test

import data.runway.tests

_skipped := [{"name": "test", "status": "skipped", "summary": "No test command"}]

_passed := [{"name": "test", "status": "pass", "summary": "ok"}]

test_no_tests_blocks_tier_3_production if {
	count(tests.deny) == 1 with input as {"checks": _skipped, "environment": "production"} with data.runway.risk.tier as 3
}

test_no_tests_warns_tier_3_staging_and_tier_2 if {
	count(tests.deny) == 0 with input as {"checks": _skipped, "environment": "staging"} with data.runway.risk.tier as 3
	count(tests.warn) == 1 with input as {"checks": _skipped, "environment": "staging"} with data.runway.risk.tier as 3
	count(tests.deny) == 0 with input as {"checks": _skipped, "environment": "production"} with data.runway.risk.tier as 2
	count(tests.warn) == 1 with input as {"checks": _skipped, "environment": "production"} with data.runway.risk.tier as 2
}

test_tier_1_is_not_asked_for_tests if {
	count(tests.warn) == 0 with input as {"checks": _skipped, "environment": "production"} with data.runway.risk.tier as 1
}

test_a_test_check_that_ran_is_enough if {
	count(tests.deny) == 0 with input as {"checks": _passed, "environment": "production"} with data.runway.risk.tier as 3
	count(tests.warn) == 0 with input as {"checks": _passed, "environment": "production"} with data.runway.risk.tier as 3
}

test_a_missing_test_check_counts_as_no_tests if {
	count(tests.deny) == 1 with input as {"checks": [], "environment": "production"} with data.runway.risk.tier as 3
}
