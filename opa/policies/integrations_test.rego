package runway.integrations_test

import data.runway.integrations

_slack := {"name": "slack", "host": "slack.com", "requires_secret": true, "secret": "SLACK_BOT_TOKEN"}

test_secret_without_review_is_denied if {
	m := {"integrations": [_slack], "flags": {"security_review": false}}
	some d in integrations.deny with input as {"manifest": m}
	d.rule == "secret_needs_review"
	contains(d.msg, "slack (slack.com)")
}

test_missing_flags_section_is_denied_too if {
	count(integrations.deny) == 1 with input as {"manifest": {"integrations": [_slack]}}
}

test_reviewed_is_allowed if {
	m := {"integrations": [_slack], "flags": {"security_review": true}}
	count(integrations.deny) == 0 with input as {"manifest": m}
}

test_integrations_without_secrets_are_fine if {
	m := {"integrations": [object.union(_slack, {"requires_secret": false})], "flags": {"security_review": false}}
	count(integrations.deny) == 0 with input as {"manifest": m}
}
