package rollout

import (
	"slices"
	"time"

	"github.com/runwayhq/runway"
)

// Config is how a rollout is run and judged. DefaultConfig gives the
// settings for a tier; every field may be changed.
type Config struct {
	// Tier is the app's risk tier; it chose the defaults.
	Tier runway.Tier
	// Steps are the canary's shares of the traffic, in percent, one step
	// after the other: strictly increasing, the last one 100. Reaching 100
	// is the promotion: the canary becomes the stable version.
	Steps []int
	// Alpha is the risk of a false rollback: the largest probability that
	// a canary that is as good as the stable version is rolled back, over
	// the whole rollout however long it lasts (as long as the stable
	// version meets its SLO). It is shared by the five tests (see the
	// package documentation). Smaller is safer for healthy versions and
	// slower to catch bad ones.
	Alpha float64
	// Tolerance is how much worse than the stable version the canary may
	// be before the comparisons with the stable version count against it:
	// 0.25 lets it fail or be slow up to 25% more often. The default, 0,
	// rolls back a canary that is worse at all, once the evidence is strong
	// enough; in practice only large differences gather that much evidence
	// during a rollout (a canary 20% worse than a 0.5% error rate needs
	// hundreds of thousands of requests). The SLO tests have no tolerance:
	// the SLO is the limit.
	Tolerance float64
	// MinBake is the shortest time the canary spends at each step.
	MinBake time.Duration
	// MinRequests is the fewest users' requests the canary must serve at
	// each step before it gets more traffic. Probes never count.
	MinRequests int
	// SLO is the app's service level objective.
	SLO SLO
	// StaleAfter is how long without measured requests makes the analysis
	// hold the rollout and alert, instead of deciding on too little.
	StaleAfter time.Duration
}

// SLO is the service level objective the canary is held to.
type SLO struct {
	// ErrorRate is the share of users' requests that may fail (no answer
	// or 5xx): 0.01 is 1%.
	ErrorRate float64
	// SlowAfter is the latency above which a request counts as slow.
	SlowAfter time.Duration
	// SlowShare is the share of users' requests that may be slow.
	SlowShare float64
}

// ProbeFailureRate is the share of failed probes the SLO tolerates on
// the canary: probes ask for pages that must work, so it is small.
const ProbeFailureRate = 0.01

// DefaultConfig returns the settings for a tier. Tier 2: steps of 20, 50
// and 100%, five minutes and 20 requests at least per step, α 1%, up to
// 1% errors and 5% of requests slower than a second, a hold after ten
// minutes without data. Tier 3 (org-facing or sensitive): a first step of
// 5%, ten minutes and 30 requests per step, a stricter SLO (0.5% errors),
// and a larger α of 2%, which catches bad versions sooner at the cost of
// rolling back a healthy one a little more often. Tier 1 apps stay in
// their sandbox; for them the settings are short and lenient.
func DefaultConfig(tier runway.Tier) Config {
	c := Config{
		Tier:        tier,
		Steps:       []int{20, 50, 100},
		Alpha:       0.01,
		Tolerance:   0,
		MinBake:     5 * time.Minute,
		MinRequests: 20,
		SLO:         SLO{ErrorRate: 0.01, SlowAfter: time.Second, SlowShare: 0.05},
		StaleAfter:  10 * time.Minute,
	}
	switch {
	case tier <= 1:
		c.Steps = []int{50, 100}
		c.MinBake = 2 * time.Minute
		c.MinRequests = 10
		c.SLO = SLO{ErrorRate: 0.02, SlowAfter: 2 * time.Second, SlowShare: 0.1}
	case tier >= 3:
		c.Steps = []int{5, 20, 50, 100}
		c.Alpha = 0.02
		c.MinBake = 10 * time.Minute
		c.MinRequests = 30
		c.SLO.ErrorRate = 0.005
	}
	return c
}

// Validate returns an EINVALID error naming the first setting that cannot
// work.
func (c Config) Validate() error {
	bad := func(format string, args ...any) error { return runway.Errorf(runway.EINVALID, format, args...) }
	switch {
	case len(c.Steps) == 0 || c.Steps[len(c.Steps)-1] != 100:
		return bad("rollout steps %v must end at 100%%", c.Steps)
	case c.Steps[0] <= 0 || !slices.IsSorted(c.Steps) || len(slices.Compact(slices.Clone(c.Steps))) != len(c.Steps):
		return bad("rollout steps %v must be percentages that only go up", c.Steps)
	case !(c.Alpha > 0 && c.Alpha <= 0.2):
		return bad("rollout alpha %g must be above 0 and at most 0.2", c.Alpha)
	case !(c.Tolerance >= 0 && c.Tolerance <= 10):
		return bad("rollout tolerance %g must be between 0 and 10", c.Tolerance)
	case c.MinBake < 0 || c.MinRequests < 0:
		return bad("rollout minimum bake time and requests may not be negative")
	case !(c.SLO.ErrorRate > 0 && c.SLO.ErrorRate < 1):
		return bad("the SLO's error rate %g must be above 0 and below 1", c.SLO.ErrorRate)
	case !(c.SLO.SlowShare > 0 && c.SLO.SlowShare < 1):
		return bad("the SLO's slow share %g must be above 0 and below 1", c.SLO.SlowShare)
	case c.SLO.SlowAfter <= 0:
		return bad("the SLO's slow threshold must be positive")
	case c.StaleAfter <= 0:
		return bad("rollout stale-after must be positive")
	}
	return nil
}
