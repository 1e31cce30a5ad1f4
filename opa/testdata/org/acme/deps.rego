# METADATA
# title: Acme dependency rules
# description: Banned packages, dependency sprawl and licence information.
package acme.deps

_names := {c.name | some c in input.sbom.components}

deny contains {
	"rule": "banned_package",
	"msg": sprintf("%s is banned at Acme (compromised or sabotaged before)", [name]),
	"fix": "Remove it and use a maintained alternative.",
	"exception_by": "security",
} if {
	some name in data.acme.banned_packages
	name in _names
}

warn contains sprintf("The app depends on %d packages; consider trimming unused ones", [n]) if {
	n := count(input.sbom.components)
	n > 150
}

deny contains sprintf("The licence %q is not a valid SPDX expression; Acme needs to know what it may ship", [l.expression]) if {
	data.runway.lib.tier == 3
	some l in input.sbom.licenses
	count(l.choices) == 1
	count(l.choices[0]) == 1
	l.choices[0][0] == l.expression
	contains(l.expression, " ")
}

warn contains "The app's dependencies carry no licence information at all" if {
	count(input.sbom.components) > 0
	count(input.sbom.licenses) == 0
}

tier := 3 if {
	"financial" in input.manifest.data
	input.manifest.audience in {"org", "external"}
}
