package rollout

import (
	"math/bits"
	"time"
)

// tests is how many sequential tests share Alpha.
const tests = 5

// minBad is the fewest bad outcomes of the canary in a stream before
// that stream can roll it back: one or two failures never do, however
// clean the stable version is.
const minBad = 3

// Analysis is the state of one canary rollout. Feed it every request with
// Observe and ask it with Decide; it keeps no clock and starts no
// goroutine. It is not safe for concurrent use: the caller serializes
// (the proxy keeps one per app behind a mutex).
type Analysis struct {
	cfg   Config
	start time.Time

	step         int
	stepStart    time.Time
	stepRequests int

	errVs, slowVs             versus
	errSLO, slowSLO, probeSLO ceiling
	vsThreshold, slThreshold  float64

	// The canary's recent share of users' requests, remembered over about
	// 100 requests.
	shareC, shareN float64

	canary, stable, baseline Counts

	lastReal, lastCanary time.Time
	stableSinceCanary    int

	// The last 64 outcomes of each stream, newest in bit 0 (1 = bad).
	canaryErr, canarySlow, canaryProbe uint64
	stableErr, stableSlow, stableProbe uint64

	done  bool
	final Verdict

	// Continue verdicts' reasons, made once per step so that a Continue
	// allocates nothing.
	baking, waiting []string
}

// New starts the analysis of a rollout at start, with the canary at the
// first step. It returns an EINVALID error when cfg cannot work.
func New(cfg Config, start time.Time) (*Analysis, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.Steps = append([]int(nil), cfg.Steps...)
	share := cfg.Alpha / tests
	a := &Analysis{
		cfg:         cfg,
		start:       start,
		stepStart:   start,
		errVs:       versus{prior: cfg.SLO.ErrorRate, tolerance: cfg.Tolerance},
		slowVs:      versus{prior: cfg.SLO.SlowShare, tolerance: cfg.Tolerance},
		errSLO:      newCeiling(cfg.SLO.ErrorRate, share*boundShare),
		slowSLO:     newCeiling(cfg.SLO.SlowShare, share*boundShare),
		probeSLO:    newCeiling(ProbeFailureRate, share*boundShare),
		vsThreshold: 1 / share,
		slThreshold: 1 / (share * (1 - boundShare)),
	}
	a.probeSLO.paired = true
	a.enterStep()
	return a, nil
}

// boundShare is the part of an SLO test's risk spent on the upper bound
// of the stable version's rate; the rest goes to the bet.
const boundShare = 0.2

// Baseline adds what the stable version did before the rollout started.
// Call it before the first Observe; the comparisons with the stable
// version use only requests served at the same time as the canary's, the
// SLO tests use the baseline too.
func (a *Analysis) Baseline(c Counts) {
	// Counts from outside: no negative numbers, no more bad than total.
	c.Requests, c.Probes = max(c.Requests, 0), max(c.Probes, 0)
	c.Errors = min(max(c.Errors, 0), c.Requests)
	c.Slow = min(max(c.Slow, 0), c.Requests)
	c.ProbeFailures = min(max(c.ProbeFailures, 0), c.Probes)
	a.baseline.add(c)
	a.errSLO.stable(c.Errors, c.Requests-c.Errors)
	a.slowSLO.stable(c.Slow, c.Requests-c.Slow)
	a.probeSLO.stable(c.ProbeFailures, c.Probes-c.ProbeFailures)
}

// Observe takes one request. It allocates nothing and does a few dozen
// floating-point operations; observations after a final verdict are
// ignored.
func (a *Analysis) Observe(o Observation) {
	if a.done {
		return
	}
	bad := o.Failed()
	canary := o.Version == Canary
	if o.Synthetic {
		a.observeProbe(canary, bad)
		return
	}
	slow := o.Latency > a.cfg.SLO.SlowAfter
	w := a.share()
	a.errVs.observe(canary, bad, w)
	a.slowVs.observe(canary, slow, w)
	a.shareC *= shareKeep
	a.shareN = a.shareN*shareKeep + 1
	if o.At.After(a.lastReal) {
		a.lastReal = o.At
	}
	if !canary {
		a.stable.request(bad, slow)
		a.errSLO.stable(b2i(bad), 1-b2i(bad))
		a.slowSLO.stable(b2i(slow), 1-b2i(slow))
		a.stableErr = a.stableErr<<1 | uint64(b2i(bad))
		a.stableSlow = a.stableSlow<<1 | uint64(b2i(slow))
		a.stableSinceCanary++
		return
	}
	a.shareC++
	a.canary.request(bad, slow)
	a.errSLO.observe(bad)
	a.slowSLO.observe(slow)
	a.canaryErr = a.canaryErr<<1 | uint64(b2i(bad))
	a.canarySlow = a.canarySlow<<1 | uint64(b2i(slow))
	if !o.At.Before(a.stepStart) {
		a.stepRequests++
	}
	if o.At.After(a.lastCanary) {
		a.lastCanary = o.At
	}
	a.stableSinceCanary = 0
}

func (a *Analysis) observeProbe(canary, bad bool) {
	if !canary {
		a.stable.probe(bad)
		a.probeSLO.stable(b2i(bad), 1-b2i(bad))
		a.stableProbe = a.stableProbe<<1 | uint64(b2i(bad))
		return
	}
	a.canary.probe(bad)
	a.probeSLO.observe(bad)
	a.canaryProbe = a.canaryProbe<<1 | uint64(b2i(bad))
}

// shareKeep is the memory of the share estimate: about 100 requests.
const shareKeep = 1 - 1.0/100

// share is the canary's share of the traffic the comparisons bet with:
// the step's weight, or the measured recent share when it is higher (with
// sticky sessions a few heavy users can give the canary more than its
// weight; less only makes the comparison cautious).
func (a *Analysis) share() float64 {
	w := float64(a.cfg.Steps[a.step]) / 100
	const prior = 10 // pseudo-requests at the weight
	return max(w, (a.shareC+prior*w)/(a.shareN+prior))
}

// evidence collects the numbers behind a verdict at now.
func (a *Analysis) evidence(now time.Time) Evidence {
	e := Evidence{
		At:           now,
		InStep:       now.Sub(a.stepStart),
		StepRequests: a.stepRequests,
		Canary:       a.canary,
		Stable:       a.stable,
		Baseline:     a.baseline,
		Share:        a.shareC / max(a.shareN, 1),
	}
	tol := 1 + a.cfg.Tolerance
	e.ErrorsVsStable = Test{a.errVs.evidence(), a.vsThreshold, tol * rate(a.stable.Errors, a.stable.Requests)}
	e.SlowVsStable = Test{a.slowVs.evidence(), a.vsThreshold, tol * rate(a.stable.Slow, a.stable.Requests)}
	e.ErrorsVsSLO = Test{a.errSLO.canary.evidence(), a.slThreshold, a.errSLO.null}
	e.SlowVsSLO = Test{a.slowSLO.canary.evidence(), a.slThreshold, a.slowSLO.null}
	e.Probes = Test{a.probeSLO.canary.evidence(), a.slThreshold, a.probeSLO.null}
	return e
}

func (c *Counts) add(d Counts) {
	c.Requests += d.Requests
	c.Errors += d.Errors
	c.Slow += d.Slow
	c.Probes += d.Probes
	c.ProbeFailures += d.ProbeFailures
}

func (c *Counts) request(bad, slow bool) {
	c.Requests++
	c.Errors += b2i(bad)
	c.Slow += b2i(slow)
}

func (c *Counts) probe(bad bool) {
	c.Probes++
	c.ProbeFailures += b2i(bad)
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// rate is k/n, 0 when n is 0.
func rate(k, n int) float64 {
	if n == 0 {
		return 0
	}
	return float64(k) / float64(n)
}

// recent counts the bad outcomes among the last n (at most 64) of a
// stream's bits.
func recent(bitsOf uint64, n int) int {
	if n < 64 {
		bitsOf &= 1<<n - 1
	}
	return bits.OnesCount64(bitsOf)
}
