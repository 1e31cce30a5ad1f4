package runway.secrets_test

import data.runway.secrets

_secret := {"kind": "secret", "severity": "critical", "file": "app.js", "line": 3, "suppressed": false}

test_unsuppressed_secret_blocks_everywhere if {
	every env in ["sandbox", "staging", "production"] {
		got := secrets.deny with input as {"findings": [_secret], "environment": env}
			with data.runway.risk.tier as 1
		count(got) == 1
		every d in got {
			d.rule == "secret_in_code"
			contains(d.msg, "app.js:3")
			d.exception_by == "security"
		}
	}
}

test_suppressed_secret_does_not_block if {
	accepted := object.union(_secret, {"suppressed": true})
	count(secrets.deny) == 0 with input as {"findings": [accepted], "environment": "production"}
}

test_an_active_exception_turns_the_deny_into_a_warning if {
	exc := {"rule": "runway.secrets.secret_in_code", "active": true, "approver": "sam", "reason": "test fixture key, rotated", "expires": "2030-01-01"}
	inp := {"findings": [_secret], "environment": "production", "exceptions": [exc]}
	count(secrets.deny) == 0 with input as inp
	some w in secrets.warn with input as inp
	w.exception.approver == "sam"
	contains(w.msg, "allowed by an exception until 2030-01-01")
}

test_an_expired_exception_no_longer_applies if {
	exc := {"rule": "runway.secrets.secret_in_code", "active": false, "approver": "sam", "reason": "old", "expires": "2020-01-01"}
	count(secrets.deny) == 1 with input as {"findings": [_secret], "environment": "production", "exceptions": [exc]}
}

test_an_exception_for_another_rule_does_not_apply if {
	exc := {"rule": "runway.sast.serious_weakness", "active": true, "approver": "sam", "reason": "other", "expires": "2030-01-01"}
	count(secrets.deny) == 1 with input as {"findings": [_secret], "environment": "production", "exceptions": [exc]}
}

test_a_secret_blocks_whatever_its_severity if {
	low := object.union(_secret, {"severity": "low"})
	count(secrets.deny) == 1 with input as {"findings": [low], "environment": "production"}
}

# Runway gives the open findings in input.summary; the policy trusts it
# and does not walk the findings again.
test_the_summary_runway_gives_is_used if {
	accepted := object.union(_secret, {"suppressed": true})
	open := {"open": {"secret": [0]}, "serious": {}, "fixable": [], "outbound_hosts": [], "license_ids": []}
	none := {"open": {}, "serious": {}, "fixable": [], "outbound_hosts": [], "license_ids": []}
	count(secrets.deny) == 1 with input as {"findings": [_secret], "summary": open, "environment": "production"}
	count(secrets.deny) == 0 with input as {"findings": [accepted], "summary": none, "environment": "production"}
}
