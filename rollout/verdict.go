package rollout

import "time"

// Action is what the rollout should do now.
type Action string

// Actions.
const (
	// Continue: keep the canary at its current share and keep watching.
	Continue Action = "continue"
	// Hold: keep the canary at its current share, do not go on, and tell
	// people (Alert): the data is missing, too thin to decide, or both
	// versions are failing. A hold never rolls back; it ends by itself
	// when the cause goes away.
	Hold Action = "hold"
	// Advance: give the canary the next step's share of the traffic.
	Advance Action = "advance"
	// Promote: give the canary all the traffic; it becomes the stable
	// version. Final.
	Promote Action = "promote"
	// Rollback: send all the traffic back to the stable version. Final.
	Rollback Action = "rollback"
)

// Cause names, for machines, what a verdict rests on.
type Cause string

// Causes.
const (
	CauseWatching Cause = "watching"  // Continue: nothing wrong so far
	CauseBaking   Cause = "baking"    // Continue: waiting for the step's minimum time
	CauseTraffic  Cause = "traffic"   // Continue: waiting for the step's minimum requests
	CausePassed   Cause = "passed"    // Advance, Promote: the step passed
	CauseErrors   Cause = "errors"    // the canary fails more often than it may
	CauseSlow     Cause = "slow"      // the canary is slow more often than it may
	CauseProbes   Cause = "probes"    // the platform's probes to the canary fail
	CauseSuspect  Cause = "suspect"   // Hold: some bad signs, not enough to decide
	CauseNoData   Cause = "no_data"   // Hold: no requests measured at all
	CauseStarved  Cause = "starved"   // Hold: the canary gets no requests
	CauseBothFail Cause = "both_fail" // Hold: the stable version fails too
)

// Verdict is the analysis' decision at one moment, with its reasons in
// plain words and the numbers behind them.
type Verdict struct {
	Action Action `json:"action"`
	Cause  Cause  `json:"cause"`
	// Step is the index in Config.Steps of the step the rollout is at after
	// this verdict, and Weight the canary's share of the traffic in percent
	// (0 after a rollback, 100 after a promotion).
	Step   int `json:"step"`
	Weight int `json:"weight"`
	// Reasons explain the verdict to people who are not developers.
	Reasons []string `json:"reasons"`
	// Alert, when not empty, is a one-line message for the people on call:
	// set on holds and rollbacks.
	Alert    string   `json:"alert,omitempty"`
	Evidence Evidence `json:"evidence"`
}

// Evidence are the numbers behind a verdict.
type Evidence struct {
	// At is the moment of the verdict; InStep how long the rollout has been
	// at the current step, and StepRequests how many users' requests the
	// canary served during it.
	At           time.Time     `json:"at"`
	InStep       time.Duration `json:"in_step"`
	StepRequests int           `json:"step_requests"`
	// Canary and Stable count what each version did since the rollout
	// started; Baseline is what the stable version did before.
	Canary   Counts `json:"canary"`
	Stable   Counts `json:"stable"`
	Baseline Counts `json:"baseline"`
	// Share is the canary's measured share of the recent users' requests.
	Share float64 `json:"share"`
	// The five tests (see the package documentation).
	ErrorsVsStable Test `json:"errors_vs_stable"`
	ErrorsVsSLO    Test `json:"errors_vs_slo"`
	SlowVsStable   Test `json:"slow_vs_stable"`
	SlowVsSLO      Test `json:"slow_vs_slo"`
	Probes         Test `json:"probes"`
}

// Test is the state of one sequential test.
type Test struct {
	// Evidence is the test's e-value: how many times over a bettor against
	// the canary has multiplied its stake. 1 is no evidence either way.
	Evidence float64 `json:"evidence"`
	// Threshold is the evidence at which the test rolls the canary back:
	// 1/(the test's share of Alpha).
	Threshold float64 `json:"threshold"`
	// Limit is the bad share the test holds the canary to, as a rate: the
	// stable version's (live) rate times 1+Tolerance for the comparisons,
	// the SLO (or the stable version's upper bound, when higher) for the
	// others.
	Limit float64 `json:"limit"`
}

// fired says whether the test has enough evidence to roll back.
func (t Test) fired() bool { return t.Evidence >= t.Threshold }
