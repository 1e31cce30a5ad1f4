package runway.approvals_test

import data.runway.approvals

test_matrix if {
	cases := [
		[1, "production", set()],
		[1, "staging", set()],
		[2, "sandbox", set()],
		[2, "staging", {"team-lead"}],
		[2, "production", {"team-lead"}],
		[3, "sandbox", set()],
		[3, "staging", {"security", "platform"}],
		[3, "production", {"security", "platform"}],
	]
	every c in cases {
		got := {a.role | some a in approvals.approvals} with data.runway.risk.tier as c[0] with input as {"environment": c[1]}
		got == c[2]
	}
}

test_every_approval_says_why if {
	got := approvals.approvals with data.runway.risk.tier as 3 with input as {"environment": "production"}
	count(got) == 2
	every a in got {
		contains(a.reason, "production")
	}
}
