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
# One rule per environment: OPA's rule index picks the one that matches
# without evaluating the others.
deploying if input.environment == "staging"

deploying if input.environment == "production"

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

# excepts is true when an active exception lets a denied issue of package
# pkg through. Nobody can except a rule whose exception_by is "none".
excepts(pkg, issue) if {
	object.get(issue, "exception_by", "") != "none"
	excepted[concat(".", [pkg, issue.rule])]
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
# failed or warned; it was not skipped and did not crash); ran_checks are
# the names of those checks.
ran(name) if ran_checks[name]

ran_checks := {c.name | some c in input.checks; c.status in {"pass", "fail", "warn"}}

# serious holds the severities that count as serious. On a hot path,
# prefer lib.summary, which has the serious findings already, or `x in` a
# set written in place: looking up a rule's value costs more than `in` on
# a constant set.
serious := {"critical", "high"}

# summary is input.summary: facts Runway derives from the rest of the input
# so that policies look them up instead of walking every finding, check and
# licence on each decision (docs/policy.md):
#   open[kind], serious[kind]: indexes in input.findings of the findings
#     nobody accepted, and of those the critical or high ones (kinds
#     without any are left out);
#   fixable: the serious open vulnerabilities whose package has a fix;
#   outbound_hosts: the hosts any check saw the code talk to;
#   license_ids: the licence ids of input.sbom.licenses' choices.
# An input written by hand (a test, a what-if) may leave it out: the same
# facts are then worked out here, the slow way.
summary := input.summary if {
	is_object(input.summary)
} else := {
	"open": {kind: ix |
		some kind in _kinds
		ix := [i | some i, f in input.findings; f.kind == kind; not f.suppressed]
		count(ix) > 0
	},
	"serious": {kind: ix |
		some kind in _kinds
		ix := [i | some i, f in input.findings; f.kind == kind; not f.suppressed; serious[f.severity]]
		count(ix) > 0
	},
	"fixable": [i |
		some i, f in input.findings
		f.kind == "vulnerability"
		not f.suppressed
		serious[f.severity]
		f.package.fixed != ""
	],
	"outbound_hosts": sort({h |
		some c in input.checks
		some h in c.details.outbound_hosts
		is_string(h)
	}),
	"license_ids": sort({id |
		some l in input.sbom.licenses
		some choice in l.choices
		some id in choice
	}),
}

_kinds := {f.kind | some f in input.findings}

# open_findings and serious_findings are the findings of a kind that
# nobody accepted, and of those the critical or high ones; each is empty
# when there are none.
open_findings(kind) := [input.findings[i] | some i in summary.open[kind]]

serious_findings(kind) := [input.findings[i] | some i in summary.serious[kind]]
