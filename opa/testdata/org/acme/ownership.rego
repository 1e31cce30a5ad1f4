# METADATA
# title: Acme ownership and budget rules
# description: Every app belongs to a known team and stays within budget.
package acme.ownership

_known_team if input.manifest.owner in data.acme.teams

deny contains {
	"rule": "unknown_owner",
	"msg": sprintf("The owner %q is not a team Acme knows", [input.manifest.owner]),
	"fix": "Set `owner:` in runway.yaml to your team's name as listed in the team directory.",
	"exception_by": "platform",
} if not _known_team

warn contains "Describe the app in one sentence under `description:`, so approvers know what it does." if {
	object.get(input.manifest, "description", "") == ""
}

deny contains {
	"rule": "over_budget",
	"msg": sprintf("The budget of %v USD a month is over Acme's limit of %v", [input.manifest.budget.monthly_usd, data.acme.budget_limit_usd]),
	"exception_by": "platform",
} if input.manifest.budget.monthly_usd > data.acme.budget_limit_usd

warn contains sprintf("A team app for %d people is really an organisation app; set audience: org", [input.manifest.expected_users]) if {
	input.manifest.audience == "team"
	input.manifest.expected_users > 1000
}

approvals contains {"role": "platform", "reason": "budgets over 200 USD a month need the platform team"} if {
	input.manifest.budget.monthly_usd > 200
}
