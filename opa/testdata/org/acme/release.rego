# METADATA
# title: Acme release rules
# description: Production apps are observable and reviewed.
package acme.release

import data.runway.lib

warn contains "This run has no candidate digest; submit it with `runway submit` to get one" if {
	lib.production
	input.candidate.digest == ""
}

deny contains {
	"rule": "no_health_check",
	"msg": "Org-facing apps need a health check: set `health:` under `run:`",
	"exception_by": "platform",
} if {
	input.manifest.audience in {"org", "external"}
	object.get(input.manifest.run, "health", "") == ""
}

warn contains sprintf("%s is an internal host; the platform cannot reach it from the app's network", [i.host]) if {
	some i in input.manifest.integrations
	endswith(i.host, ".internal")
}

approvals contains "security" if "health" in input.manifest.data

allow if {
	input.manifest.audience == "personal"
	count(input.manifest.integrations) == 0
}
