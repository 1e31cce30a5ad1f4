# METADATA
# title: Approval matrix
# description: |
#   Who must approve before an app reaches people, by tier and environment:
#   - tier 1 (personal, no sensitive data): nobody; it is auto-approved;
#   - tier 2 (team use, internal data): a team lead, for staging and
#     production;
#   - tier 3 (org-facing or sensitive): security and platform, for staging
#     and production.
#   A sandbox is the owner's own playground and needs no approval.
package runway.approvals

import data.runway.lib

approvals contains {
	"role": "team-lead",
	"reason": sprintf("tier 2 apps need a team lead's approval before %s", [input.environment]),
} if {
	lib.tier == 2
	lib.deploying
}

approvals contains {
	"role": "security",
	"reason": sprintf("tier 3 apps need the security team's approval before %s", [input.environment]),
} if {
	lib.tier == 3
	lib.deploying
}

approvals contains {
	"role": "platform",
	"reason": sprintf("tier 3 apps need the platform team's approval before %s", [input.environment]),
} if {
	lib.tier == 3
	lib.deploying
}
