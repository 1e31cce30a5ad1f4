package runway.risk_test

import data.runway.risk

_manifest(overrides) := object.union({
	"name": "demo",
	"owner": "me",
	"risk": "low",
	"audience": "personal",
	"expected_users": 1,
	"data": [],
	"integrations": [],
	"flags": {"security_review": false},
}, overrides)

test_personal_app_without_data_is_tier_1 if {
	risk.tier == 1 with input as {"manifest": _manifest({}), "findings": []}
	risk.reasons == {
		"is a personal app → tier 1",
		"handles no data that needs protecting → tier 1",
		"you declared risk low → tier 1",
	} with input as {"manifest": _manifest({}), "findings": []}
}

test_pii_is_tier_3_with_reason if {
	m := _manifest({"data": ["pii"]})
	risk.tier == 3 with input as {"manifest": m}
	"handles personal data (pii) → tier 3" in risk.reasons with input as {"manifest": m}
}

test_low_label_pii_for_the_whole_org_is_tier_3 if {
	m := _manifest({"risk": "low", "audience": "org", "data": ["pii"], "expected_users": 4000})
	risk.tier == 3 with input as {"manifest": m}
	risk.effective == "high" with input as {"manifest": m}
	"is used across the whole organisation (org) → tier 3" in risk.reasons with input as {"manifest": m}
}

test_declared_risk_raises_never_lowers if {
	risk.tier == 3 with input as {"manifest": _manifest({"risk": "high"})}
	risk.tier == 3 with input as {"manifest": _manifest({"risk": "low", "audience": "external"})}
}

test_team_internal_is_tier_2 if {
	m := _manifest({"risk": "medium", "audience": "team", "data": ["internal"], "expected_users": 60})
	risk.tier == 2 with input as {"manifest": m}
	"expects 60 users (20 or more) → tier 2" in risk.reasons with input as {"manifest": m}
}

test_unreviewed_secret_integration_is_tier_3 if {
	i := {"name": "slack", "host": "slack.com", "requires_secret": true, "secret": "SLACK_BOT_TOKEN"}
	m := _manifest({"audience": "team", "integrations": [i]})
	risk.tier == 3 with input as {"manifest": m}
	reviewed := object.union(m, {"flags": {"security_review": true}})
	risk.tier == 2 with input as {"manifest": reviewed}
	"sends a secret to slack.com (slack), marked for security review → tier 2" in risk.reasons with input as {"manifest": reviewed}
}

test_many_hosts_is_tier_3 if {
	hosts := [{"name": sprintf("s%d", [n]), "host": sprintf("s%d.example.com", [n]), "requires_secret": false} | some n in numbers.range(1, 5)]
	risk.tier == 3 with input as {"manifest": _manifest({"integrations": hosts})}
	risk.tier == 2 with input as {"manifest": _manifest({"integrations": array.slice(hosts, 0, 1)})}
}

test_many_dependencies_is_tier_2 if {
	components := [{"name": sprintf("p%d", [n])} | some n in numbers.range(1, 300)]
	risk.tier == 2 with input as {"manifest": _manifest({}), "sbom": {"components": components}}
	risk.tier == 1 with input as {"manifest": _manifest({}), "sbom": {"components": array.slice(components, 0, 299)}}
}

test_open_serious_findings_raise_to_tier_2 if {
	f := {"id": "a", "kind": "vulnerability", "severity": "high", "suppressed": false}
	risk.tier == 2 with input as {"manifest": _manifest({}), "findings": [f]}
	accepted := object.union(f, {"suppressed": true})
	risk.tier == 1 with input as {"manifest": _manifest({}), "findings": [accepted]}
}

test_missing_manifest_is_tier_3 if {
	risk.tier == 3 with input as {"manifest": null}
}

test_organisation_policies_raise_the_tier if {
	risk.tier == 3 with input as {"manifest": _manifest({})}
		with data.runway.engine.raises as {{"package": "acme.payments", "tier": 3}}
	"policy acme.payments raises it → tier 3" in risk.reasons with input as {"manifest": _manifest({})}
		with data.runway.engine.raises as {{"package": "acme.payments", "tier": 3}}
}
