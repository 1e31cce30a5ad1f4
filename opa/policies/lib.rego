# METADATA
# title: Runway's policy library
# description: |
#   Helpers that the built-in policies share and that organisation policies may
#   use: the effective tier, the environment, exceptions, and turning issues
#   into deny and warn elements with a plain-language message, the reason, the
#   fix and who can grant an exception.
package runway.lib

# tier is the app's effective tier (1, 2 or 3), computed by runway.risk.
tier := data.runway.risk.tier

# deploying is true for staging and production, where real people use the
# app; a sandbox is the owner's own playground.
deploying if _deploying[input.environment]

_deploying := {"staging", "production"}

# production is true when the candidate is going to production.
production if input.environment == "production"

# sandbox is true when the candidate is going to its owner's sandbox.
sandbox if input.environment == "sandbox"

# active_exceptions lists the exceptions for rule id that apply now. Runway
# marks an exception active when it is for this app, has not expired and
# covers this environment.
active_exceptions(id) := [e |
	some e in input.exceptions
	e.rule == id
	e.active == true
]

# excepted holds the rule ids ("<package>.<rule>", such as
# runway.secrets.secret_in_code) that an active exception covers. It is a
# helper rule, always defined (empty without exceptions), so that
# `not excepted[id]` never depends on a missing document.
excepted contains e.rule if {
	some e in input.exceptions
	e.active == true
}

# element is an issue as a deny or warn element: msg, why, fix, rule and
# exception_by (see docs/policy.md).
element(issue) := object.remove(issue, ["level"])

# allowed is a denied issue of package pkg that an exception lets through:
# it becomes a warning that names the exception.
allowed(pkg, issue) := object.union(element(issue), {
	"msg": sprintf("%s (allowed by an exception until %s)", [issue.msg, e.expires]),
	"exception": {"approver": e.approver, "reason": e.reason, "expires": e.expires},
}) if {
	e := active_exceptions(sprintf("%s.%s", [pkg, issue.rule]))[0]
}

# place says where a finding is: "file:line", the file, or its title.
place(f) := sprintf("%s:%d", [f.file, f.line]) if f.line > 0

place(f) := f.file if {
	not f.line > 0
	f.file != ""
}

place(f) := f.title if {
	not f.line > 0
	f.file == ""
}

# short_list joins at most five texts with commas and says how many more
# there are.
short_list(xs) := concat(", ", xs) if count(xs) <= 5

short_list(xs) := sprintf("%s and %d more", [concat(", ", array.slice(xs, 0, 5)), count(xs) - 5]) if count(xs) > 5

# checks are the results of the checks, by name.
checks := {c.name: c | some c in input.checks}

# ran is true when the check with the given name ran to the end (it passed,
# failed or warned; it was not skipped and did not crash).
ran(name) if _ran[checks[name].status]

_ran := {"pass", "fail", "warn"}

# serious holds the severities that count as serious. Policies test
# membership with lib.serious[f.severity], a lookup, which costs less than
# `in` on the hot path over findings.
serious := {"critical", "high"}
