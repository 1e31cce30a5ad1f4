package runway.egress_test

import data.runway.egress

_manifest := {"integrations": [{"name": "slack", "host": "slack.com", "requires_secret": false}]}

test_undeclared_host_blocks_production if {
	checks := [{"name": "sast", "status": "pass", "details": {"outbound_hosts": ["slack.com", "evil.example.net"]}}]
	some d in egress.deny with input as {"manifest": _manifest, "checks": checks, "environment": "production"}
	d.rule == "undeclared_host"
	contains(d.msg, "evil.example.net")
	not contains(d.msg, "slack.com")
}

test_undeclared_host_warns_in_the_sandbox if {
	checks := [{"name": "sast", "status": "pass", "details": {"outbound_hosts": ["evil.example.net"]}}]
	count(egress.deny) == 0 with input as {"manifest": _manifest, "checks": checks, "environment": "sandbox"}
	count(egress.warn) == 1 with input as {"manifest": _manifest, "checks": checks, "environment": "sandbox"}
}

test_declared_hosts_and_checks_without_details_are_fine if {
	checks := [{"name": "sast", "status": "pass", "details": {"outbound_hosts": ["slack.com"]}}, {"name": "lint", "status": "pass"}]
	count(egress.deny) == 0 with input as {"manifest": _manifest, "checks": checks, "environment": "production"}
}

test_wildcard_host_is_denied if {
	m := {"integrations": [{"name": "any", "host": "*.example.com", "requires_secret": false}]}
	some d in egress.deny with input as {"manifest": m, "checks": [], "environment": "production"}
	d.rule == "wildcard_host"
}
