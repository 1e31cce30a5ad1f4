package rollout

import (
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/runwayhq/runway"
)

// scenario is one kind of simulated rollout: users' requests arrive at
// random (a Poisson process), each goes to the canary with the current
// weight's probability and fails or is slow with its version's
// probability; the platform probes both versions on a schedule.
type scenario struct {
	cfg        Config
	rate       float64 // users' requests per second, both versions together
	stable     health
	canary     health
	breakAfter int           // the canary turns bad only after this many of its requests
	broken     health        // how it does then
	history    time.Duration // the stable version's baseline, at the same rate
	probeEvery time.Duration // 0: no probes
	tick       time.Duration // heartbeat: Decide also runs this often
	limit      time.Duration // simulated time after which the rollout is abandoned
	// gap drops the observations in [gap[0], gap[1]): all of them (a
	// metrics outage), or only the canary's when canaryGap is set.
	gap       [2]time.Duration
	canaryGap bool
	// hold keeps the canary at its first step (no promotion): for
	// measuring how long detection takes.
	hold bool
}

// health is how a version behaves.
type health struct {
	errors, slow, probeFailures float64
}

// result is how one simulated rollout ended.
type result struct {
	final     Verdict // the last verdict
	canaryReq int     // the canary's users' requests at the end
	elapsed   time.Duration
	holds     map[Cause]int // Decide calls that held, per cause
	// What the analysis said while data was missing.
	rollbackDuringGap bool
	gapHolds          map[Cause]int
}

var epoch = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func simulate(rng *rand.Rand, sc scenario) result {
	cfg := sc.cfg
	if sc.hold {
		cfg.MinRequests = math.MaxInt
	}
	a, err := New(cfg, epoch)
	if err != nil {
		panic(err)
	}
	if sc.history > 0 {
		a.Baseline(history(rng, sc))
	}
	tick := sc.tick
	if tick == 0 {
		tick = 10 * time.Second
	}
	var (
		res       = result{holds: map[Cause]int{}, gapHolds: map[Cause]int{}}
		weight    = cfg.Steps[0]
		now       time.Duration
		nextReq   = expo(rng, sc.rate)
		nextProbe = sc.probeEvery
		nextTick  = tick
		v         Verdict
	)
	if sc.probeEvery == 0 {
		nextProbe = math.MaxInt64
	}
	for now < sc.limit {
		now = min(nextReq, nextProbe, nextTick)
		at := epoch.Add(now)
		inGap := now >= sc.gap[0] && now < sc.gap[1]
		switch now {
		case nextReq:
			nextReq += expo(rng, sc.rate)
			o := Observation{At: at, Version: Stable, Status: 200, Latency: 100 * time.Millisecond}
			h := sc.stable
			if rng.IntN(100) < weight {
				o.Version = Canary
				h = sc.canary
				if sc.breakAfter > 0 && a.canary.Requests >= sc.breakAfter {
					h = sc.broken
				}
			}
			if rng.Float64() < h.errors {
				o.Status = 500
			}
			if rng.Float64() < h.slow {
				o.Latency = 3 * cfg.SLO.SlowAfter
			}
			if inGap && (!sc.canaryGap || o.Version == Canary) {
				continue
			}
			a.Observe(o)
		case nextProbe:
			nextProbe += sc.probeEvery
			for _, ver := range []Version{Stable, Canary} {
				if inGap && (!sc.canaryGap || ver == Canary) {
					continue
				}
				h := sc.stable
				if ver == Canary {
					h = sc.canary
				}
				o := Observation{At: at, Version: ver, Status: 200, Latency: 50 * time.Millisecond, Synthetic: true}
				if rng.Float64() < h.probeFailures {
					o.Status = 503
				}
				a.Observe(o)
			}
		case nextTick:
			nextTick += tick
		}
		v = a.Decide(at)
		if v.Action == Hold {
			res.holds[v.Cause]++
		}
		if inGap && v.Action == Rollback {
			res.rollbackDuringGap = true
		}
		if inGap && v.Action == Hold {
			res.gapHolds[v.Cause]++
		}
		weight = v.Weight
		if v.Action == Rollback || v.Action == Promote {
			break
		}
	}
	res.final = v
	res.canaryReq = a.canary.Requests
	res.elapsed = now
	return res
}

// history draws the stable version's baseline.
func history(rng *rand.Rand, sc scenario) Counts {
	var c Counts
	c.Requests = int(sc.rate * sc.history.Seconds())
	for range c.Requests {
		if rng.Float64() < sc.stable.errors {
			c.Errors++
		}
		if rng.Float64() < sc.stable.slow {
			c.Slow++
		}
	}
	if sc.probeEvery > 0 {
		c.Probes = int(sc.history / sc.probeEvery)
		for range c.Probes {
			if rng.Float64() < sc.stable.probeFailures {
				c.ProbeFailures++
			}
		}
	}
	return c
}

// expo is an exponential waiting time for a Poisson process of the given
// rate per second.
func expo(rng *rand.Rand, rate float64) time.Duration {
	return time.Duration(rng.ExpFloat64() / rate * float64(time.Second))
}

// runMany simulates n rollouts of sc, each with its own seeded PCG
// stream, and returns their results in order.
func runMany(sc scenario, n int, seed uint64) []result {
	out := make([]result, n)
	for i := range n {
		rng := rand.New(rand.NewPCG(seed, uint64(i)))
		out[i] = simulate(rng, sc)
	}
	return out
}

// quantile is the q-quantile of xs (nearest rank).
func quantile(xs []int, q float64) int {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(s)))) - 1
	return s[max(i, 0)]
}

// upperCP is the one-sided Clopper-Pearson upper confidence bound, at
// level 1-alpha, on a probability after k successes in n trials: the p
// at which seeing k or fewer has probability alpha.
func upperCP(k, n int, alpha float64) float64 {
	if k >= n {
		return 1
	}
	cdf := func(p float64) float64 { // P(X <= k) for Binomial(n, p)
		var s float64
		for i := 0; i <= k; i++ {
			lc := lgamma(float64(n+1)) - lgamma(float64(i+1)) - lgamma(float64(n-i+1))
			s += math.Exp(lc + float64(i)*math.Log(p) + float64(n-i)*math.Log1p(-p))
		}
		return s
	}
	lo, hi := float64(k)/float64(n), 1.0
	for range 100 {
		mid := (lo + hi) / 2
		if cdf(mid) > alpha {
			lo = mid
		} else {
			hi = mid
		}
	}
	return hi
}

func lgamma(x float64) float64 { v, _ := math.Lgamma(x); return v }

var simFull = flag.Bool("sim", false, "run the canary simulations with ten times as many rollouts")

// rollouts scales a simulation's size: n by default, n/10 (at least 100)
// with -short, 10n with -sim.
func rollouts(n int) int {
	switch {
	case *simFull:
		return 10 * n
	case testing.Short():
		return max(n/10, 100)
	}
	return n
}

// The health of a typical stable version: 0.5% of requests fail, 2% are
// slow, 0.1% of probes fail.
var typical = health{errors: 0.005, slow: 0.02, probeFailures: 0.001}

// aa is an A/A rollout: the canary is the stable version again.
func aa(tierN int, rate float64) scenario {
	return scenario{
		cfg: DefaultConfig(runway.Tier(tierN)), rate: rate, stable: typical, canary: typical,
		history: time.Hour, probeEvery: 30 * time.Second, limit: 24 * time.Hour,
	}
}

// TestSimulatedAAFalseRollbacks rolls out a canary identical to the stable
// version many times and counts rollbacks, which are all false.
//
// The check: with k false rollbacks in n rollouts, the one-sided 99%
// Clopper-Pearson upper bound on the false-rollback rate must be at most
// 1%. Passing means the data make a rate above 1% implausible, not merely
// that the observed rate is below 1%: with 2,000 rollouts it allows up to
// 9 false rollbacks, with 1,000 up to 2. (With -short the rollouts are
// too few for that and only the observed rate is checked.) The seeds are
// fixed, so the figures are reproducible.
func TestSimulatedAAFalseRollbacks(t *testing.T) {
	held := func(sc scenario, d time.Duration) scenario { sc.hold, sc.limit = true, d; return sc }
	breach := aa(2, 1)
	breach.stable = health{errors: 0.02, slow: 0.1, probeFailures: 0.01}
	breach.canary = breach.stable
	cases := []struct {
		name string
		sc   scenario
		n    int
	}{
		{"tier 2 at 1 request/s", aa(2, 1), 2000},
		{"tier 2 at 0.1 request/s", aa(2, 0.1), 2000},
		{"tier 3 at 1 request/s", aa(3, 1), 1000},
		{"tier 3 at 0.1 request/s", aa(3, 0.1), 1000},
		{"tier 2 at 1 request/s held 1 hour at 20%", held(aa(2, 1), time.Hour), 1000},
		{"tier 2 at 0.1 request/s held 6 hours at 20%", held(aa(2, 0.1), 6*time.Hour), 1000},
		{"tier 2 at 1 request/s, stable above its slow SLO", breach, 2000},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			n := rollouts(c.n)
			rs := runMany(c.sc, n, 100+uint64(i))
			var (
				falseRollbacks, promoted int
				causes, holds            = map[Cause]int{}, map[Cause]int{}
				durations                []int
			)
			for _, r := range rs {
				switch r.final.Action {
				case Rollback:
					falseRollbacks++
					causes[r.final.Cause]++
				case Promote:
					promoted++
					durations = append(durations, int(r.elapsed/time.Minute))
				}
				for cause := range r.holds {
					holds[cause]++
				}
			}
			bound := upperCP(falseRollbacks, n, 0.01)
			t.Logf("%d rollouts: %d false rollbacks (%.2f%%, 99%% upper bound %.2f%%) %v; %d promoted, median %d minutes; rollouts held at least once, per cause: %v",
				n, falseRollbacks, 100*float64(falseRollbacks)/float64(n), 100*bound, causes, promoted, quantile(durations, 0.5), holds)
			if testing.Short() {
				if float64(falseRollbacks) > 0.01*float64(n) {
					t.Errorf("%d false rollbacks in %d rollouts: more than 1%%", falseRollbacks, n)
				}
				return
			}
			if bound > 0.01 {
				t.Errorf("%d false rollbacks in %d rollouts: the 99%% upper bound %.2f%% is above 1%%", falseRollbacks, n, 100*bound)
			}
		})
	}
}

// TestSimulatedHardFailure rolls out a canary that fails every request,
// from its first request or after 100 good ones, and checks it is rolled
// back within 10 of its requests: with and without the stable version's
// history, at 1 and 0.1 requests per second, without probes (they would
// only help).
func TestSimulatedHardFailure(t *testing.T) {
	dead := health{errors: 1, slow: 0.02}
	type row struct {
		name string
		sc   scenario
	}
	var cases []row
	for _, tierN := range []int{2, 3} {
		for _, rate := range []float64{1, 0.1} {
			sc := aa(tierN, rate)
			sc.probeEvery = 0
			sc.canary = dead
			cases = append(cases, row{fmt.Sprintf("tier %d at %g request/s", tierN, rate), sc})
			sc.history = 0
			cases = append(cases, row{fmt.Sprintf("tier %d at %g request/s, no history", tierN, rate), sc})
			sc.history = time.Hour
			sc.canary, sc.broken, sc.breakAfter, sc.hold = typical, dead, 100, true
			sc.limit = 1000 * time.Hour
			cases = append(cases, row{fmt.Sprintf("tier %d at %g request/s, breaks after 100 requests", tierN, rate), sc})
		}
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			rs := runMany(c.sc, rollouts(500), 200+uint64(i))
			var reqs []int
			var secs []int
			for _, r := range rs {
				if r.final.Action != Rollback {
					t.Fatalf("a dead canary ended with %s after %d requests", r.final.Action, r.canaryReq)
				}
				reqs = append(reqs, r.canaryReq-c.sc.breakAfter)
				secs = append(secs, int(r.elapsed/time.Second))
			}
			t.Logf("%d rollouts: canary requests to rollback p50 %d, p99 %d, max %d; median %d seconds", len(rs), quantile(reqs, 0.5), quantile(reqs, 0.99), quantile(reqs, 1), quantile(secs, 0.5))
			if m := quantile(reqs, 1); m > 10 {
				t.Errorf("rolled back after up to %d failing canary requests, want at most 10", m)
			}
		})
	}
}

// TestSimulatedRegression rolls out a canary that fails 2% of requests
// against a stable version that fails 0.5%, held at its first step, and
// reports how many canary requests it takes to roll it back. The median
// must be about 1,000 (at most 1,100) at tier 2's 20% step.
func TestSimulatedRegression(t *testing.T) {
	worse := health{errors: 0.02, slow: 0.02}
	for i, tierN := range []int{2, 3} {
		t.Run(fmt.Sprintf("tier %d", tierN), func(t *testing.T) {
			t.Parallel()
			sc := aa(tierN, 1)
			sc.canary, sc.probeEvery, sc.tick = worse, 0, time.Minute
			sc.hold, sc.limit = true, 100*time.Hour
			n := rollouts(500)
			if tierN == 3 {
				n = rollouts(300) // 5% of the traffic: four times the requests per rollout
			}
			rs := runMany(sc, n, 300+uint64(i))
			var reqs []int
			vsStable := 0
			for _, r := range rs {
				if r.final.Action == Rollback {
					reqs = append(reqs, r.canaryReq)
					if r.final.Evidence.ErrorsVsStable.fired() {
						vsStable++
					}
				}
			}
			t.Logf("at %d%%: %d of %d rolled back (%d by the comparison with the stable version); canary requests to rollback p50 %d, p90 %d, p99 %d",
				sc.cfg.Steps[0], len(reqs), n, vsStable, quantile(reqs, 0.5), quantile(reqs, 0.9), quantile(reqs, 0.99))
			sc.hold, sc.limit = false, 24*time.Hour
			caught := 0
			for _, r := range runMany(sc, n, 400+uint64(i)) {
				if r.final.Action == Rollback {
					caught++
				}
			}
			t.Logf("with the default steps at 1 request/s: %d of %d rolled back before promotion", caught, n)
			if len(reqs) < n*99/100 {
				t.Errorf("only %d of %d regressions detected", len(reqs), n)
			}
			if tierN == 2 && quantile(reqs, 0.5) > 1100 {
				t.Errorf("median %d canary requests to detect 2%% against 0.5%%, want about 1,000", quantile(reqs, 0.5))
			}
		})
	}
}

// TestSimulatedMissingData drops the measurements for 30 minutes during
// the first step — all of them, or only the canary's — of healthy and of
// bad canaries: the analysis must hold with an alert, never roll back
// while data is missing, and go on afterwards.
func TestSimulatedMissingData(t *testing.T) {
	regression := health{errors: 0.02, slow: 0.02}
	cases := []struct {
		name      string
		canary    health
		rate      float64
		canaryGap bool
		want      Cause
	}{
		{"healthy canary, metrics outage, 1 request/s", typical, 1, false, CauseNoData},
		{"healthy canary, metrics outage, 0.1 request/s", typical, 0.1, false, CauseNoData},
		{"healthy canary, canary's metrics lost, 1 request/s", typical, 1, true, CauseStarved},
		{"worse canary, metrics outage, 1 request/s", regression, 1, false, CauseNoData},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			sc := aa(2, c.rate)
			sc.canary, sc.canaryGap = c.canary, c.canaryGap
			sc.gap = [2]time.Duration{2 * time.Minute, 32 * time.Minute}
			rs := runMany(sc, rollouts(500), 500+uint64(i))
			held, finals := 0, map[Action]int{} // other holds may happen too: the stable version's random bad patches
			for _, r := range rs {
				if r.rollbackDuringGap {
					t.Fatalf("rolled back while data was missing: %v", r.final.Reasons)
				}
				if r.gapHolds[c.want] > 0 {
					held++
				}
				finals[r.final.Action]++
			}
			t.Logf("%d rollouts: %d held for %s during the gap; final verdicts %v", len(rs), held, c.want, finals)
			if held < len(rs)*95/100 {
				t.Errorf("only %d of %d rollouts held during the 30-minute gap", held, len(rs))
			}
		})
	}
}
