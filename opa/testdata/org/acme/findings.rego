package acme.findings

deny[msg] {
	medium := [f | f := input.findings[_]; f.kind == "vulnerability"; f.severity == "medium"; not f.suppressed]
	count(medium) > 10
	msg := sprintf("%d medium vulnerabilities is more than Acme accepts (10)", [count(medium)])
}

warn[msg] {
	lint := [f | f := input.findings[_]; f.kind == "lint"]
	count(lint) > 5
	msg := sprintf("%d lint problems: clean them up before they hide a real one", [count(lint)])
}

deny[msg] {
	f := input.findings[_]
	f.kind == "sast"
	f.rule == "js-eval"
	not f.suppressed
	msg := sprintf("eval() is not allowed at Acme (%s:%d)", [f.file, f.line])
}

warn[msg] {
	accepted := [f | f := input.findings[_]; f.suppressed]
	count(accepted) > 3
	msg := sprintf("%d findings are accepted; review whether they still should be", [count(accepted)])
}

deny[msg] {
	f := input.findings[_]
	f.severity == "critical"
	not f.suppressed
	f.kind != "policy"
	msg := sprintf("Critical finding must be fixed: %s", [f.title])
}
