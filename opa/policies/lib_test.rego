package runway.lib_test

import data.runway.lib

_findings := [
	{"kind": "secret", "severity": "high", "suppressed": false, "file": "a.js", "line": 1},
	{"kind": "secret", "severity": "low", "suppressed": true, "file": "b.js", "line": 2},
	{"kind": "vulnerability", "severity": "critical", "suppressed": false, "package": {"name": "p", "version": "1", "fixed": "2"}},
	{"kind": "vulnerability", "severity": "high", "suppressed": false, "package": {"name": "q", "version": "1"}},
	{"kind": "lint", "severity": "low", "suppressed": false},
]

# Without input.summary, lib.summary works the facts out from the findings,
# checks and licences.
test_summary_is_worked_out_without_one if {
	inp := {
		"findings": _findings,
		"checks": [{"name": "sast", "details": {"outbound_hosts": ["b.example.com", "a.example.com", 3]}}, {"name": "lint", "details": null}],
		"sbom": {"licenses": [{"expression": "MIT OR Apache-2.0", "choices": [["Apache-2.0"], ["MIT"]]}]},
	}
	lib.summary == {
		"open": {"secret": [0], "vulnerability": [2, 3], "lint": [4]},
		"serious": {"secret": [0], "vulnerability": [2, 3]},
		"fixable": [2],
		"outbound_hosts": ["a.example.com", "b.example.com"],
		"license_ids": ["Apache-2.0", "MIT"],
	} with input as inp
}

# With input.summary, lib.summary is it: Runway computed it from the same
# input.
test_summary_given_is_used if {
	given := {"open": {}, "serious": {}, "fixable": [], "outbound_hosts": ["x.example.com"], "license_ids": []}
	lib.summary == given with input as {"findings": _findings, "summary": given}
}

test_open_and_serious_findings if {
	[f.file | some f in lib.open_findings("secret")] == ["a.js"] with input as {"findings": _findings}
	count(lib.serious_findings("vulnerability")) == 2 with input as {"findings": _findings}
	lib.open_findings("sast") == [] with input as {"findings": _findings}
}

test_ran_checks if {
	checks := [{"name": "test", "status": "pass"}, {"name": "lint", "status": "skipped"}, {"name": "sast", "status": "error"}, {"name": "build", "status": "warn"}]
	lib.ran_checks == {"test", "build"} with input as {"checks": checks}
	lib.ran("test") with input as {"checks": checks}
	not lib.ran("lint") with input as {"checks": checks}
}

test_excepts_honours_none if {
	exc := [{"rule": "acme.x.y", "active": true}, {"rule": "acme.x.z", "active": false}]
	lib.excepts("acme.x", {"rule": "y"}) with input as {"exceptions": exc}
	not lib.excepts("acme.x", {"rule": "y", "exception_by": "none"}) with input as {"exceptions": exc}
	not lib.excepts("acme.x", {"rule": "z"}) with input as {"exceptions": exc}
}

test_deploying if {
	lib.deploying with input as {"environment": "staging"}
	lib.deploying with input as {"environment": "production"}
	not lib.deploying with input as {"environment": "sandbox"}
}
