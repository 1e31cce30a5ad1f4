package rollout

import (
	"math"
	"time"
)

// Decide says what the rollout should do at now. Calling it is also the
// analysis' heartbeat: only Decide notices that requests stopped coming.
// In order:
//
//  1. Rollback, when a test's evidence reached its threshold and the
//     canary had at least three bad outcomes in that stream. Final.
//  2. Hold and alert, when the stable version is failing badly right now
//     too, when no request was measured for StaleAfter, or when the
//     canary got none for StaleAfter while it should have had about 20.
//     Missing data never rolls back.
//  3. Continue, until requests were measured over MinBake at this step
//     (time without data does not count) and the canary served
//     MinRequests users' requests during it (at least one: probes alone
//     never promote).
//  4. Hold and alert, when a test's evidence is above the square root of
//     its threshold and the canary went bad in that stream recently (in
//     its last MinRequests requests, at least 20, or its last 8 probes):
//     too much doubt to give it more traffic, too little to roll it back.
//     The doubt clears when the canary serves that many requests cleanly.
//  5. Advance to the next step, or Promote when the next step is 100%.
//     Advance and Promote start the next step at now.
//
// After a final verdict Decide returns it again. Decide allocates only
// when the verdict is not Continue.
func (a *Analysis) Decide(now time.Time) Verdict {
	if a.done {
		return a.final
	}
	e := a.evidence(now)
	if v, ok := a.rollback(e); ok {
		a.done, a.final = true, v
		return v
	}
	if v, ok := a.hold(now, e); ok {
		return v
	}
	switch {
	case a.lastReal.Sub(a.stepStart) < a.cfg.MinBake: // measured, not merely elapsed
		return a.verdict(Continue, CauseBaking, a.baking, "", e)
	case a.stepRequests < max(a.cfg.MinRequests, 1): // probes alone never promote
		return a.verdict(Continue, CauseTraffic, a.waiting, "", e)
	}
	if v, ok := a.suspect(e); ok {
		return v
	}
	return a.pass(now, e)
}

// stream is one of the analysis' streams of outcomes, with its tests.
type stream struct {
	cause       Cause
	slo, versus Test
	bad         int // the canary's bad outcomes
}

func (a *Analysis) streams(e Evidence) [3]stream {
	return [3]stream{
		{CauseErrors, e.ErrorsVsSLO, e.ErrorsVsStable, e.Canary.Errors},
		{CauseProbes, e.Probes, Test{}, e.Canary.ProbeFailures},
		{CauseSlow, e.SlowVsSLO, e.SlowVsStable, e.Canary.Slow},
	}
}

// rollback rolls back when a stream's test fired; the first such stream
// (errors, probes, slow requests) is the cause, the others are mentioned.
func (a *Analysis) rollback(e Evidence) (Verdict, bool) {
	var (
		reasons []string
		alert   string
		cause   Cause
	)
	for _, s := range a.streams(e) {
		vsSLO, vsStable := s.slo.fired(), s.versus.Threshold > 0 && s.versus.fired()
		if s.bad < minBad || !(vsSLO || vsStable) {
			continue
		}
		what, short := a.describe(s.cause, vsStable && !vsSLO)
		if cause != "" {
			reasons = append(reasons, "Also, "+what+".")
			continue
		}
		cause = s.cause
		alert = "Rolled back: " + short + "."
		reasons = append(reasons, capitalize(what)+"; traffic went back to the old version.")
		if vsSLO {
			reasons = append(reasons, a.chance(s.cause, s.slo))
		} else {
			reasons = append(reasons, a.chance("", s.versus))
		}
	}
	if cause == "" {
		return Verdict{}, false
	}
	v := a.verdict(Rollback, cause, reasons, alert, e)
	v.Weight = 0
	return v, true
}

func (a *Analysis) hold(now time.Time, e Evidence) (Verdict, bool) {
	weight := a.cfg.Steps[a.step]
	for _, s := range [...]struct {
		cause Cause
		c     *ceiling
	}{{CauseErrors, &a.errSLO}, {CauseProbes, &a.probeSLO}, {CauseSlow, &a.slowSLO}} {
		if s.c.shared() {
			r, alert := a.bothFailing(s.cause, weight)
			return a.verdict(Hold, CauseBothFail, r, alert, e), true
		}
	}
	if quiet := now.Sub(latest(a.lastReal, a.start)); quiet >= a.cfg.StaleAfter {
		r, alert := noData(quiet, weight)
		return a.verdict(Hold, CauseNoData, r, alert, e), true
	}
	w := float64(weight) / 100
	expected := float64(a.stableSinceCanary) * w / (1 - w)
	if quiet := now.Sub(latest(a.lastCanary, a.stepStart)); quiet >= a.cfg.StaleAfter && expected >= 20 {
		r, alert := starved(quiet, a.stableSinceCanary, weight)
		return a.verdict(Hold, CauseStarved, r, alert, e), true
	}
	return Verdict{}, false
}

func (a *Analysis) suspect(e Evidence) (Verdict, bool) {
	// Doubt needs recent trouble: a burst long past leaves evidence
	// behind that no bet will ever lose again, and must not hold the
	// rollout forever.
	window := min(max(a.cfg.MinRequests, 20), 64)
	recentBad := [3]bool{
		recent(a.canaryErr, window) > 0,
		recent(a.canaryProbe, 8) > 0,
		recent(a.canarySlow, window) > 0,
	}
	for i, s := range a.streams(e) {
		vsSLO := s.slo.Evidence >= math.Sqrt(s.slo.Threshold)
		vsStable := s.versus.Threshold > 0 && s.versus.Evidence >= math.Sqrt(s.versus.Threshold)
		if !recentBad[i] || !(vsSLO || vsStable) {
			continue
		}
		r, alert := a.doubt(s.cause, vsStable && !vsSLO)
		return a.verdict(Hold, CauseSuspect, r, alert, e), true
	}
	return Verdict{}, false
}

// pass ends the step: the canary advances, or is promoted after the last
// step below 100%.
func (a *Analysis) pass(now time.Time, e Evidence) Verdict {
	passed := a.step
	a.step++
	a.stepStart = now
	a.stepRequests = 0
	if a.cfg.Steps[a.step] == 100 {
		v := a.verdict(Promote, CausePassed, a.promoted(e), "", e)
		a.done, a.final = true, v
		return v
	}
	a.enterStep()
	return a.verdict(Advance, CausePassed, a.advanced(passed, e), "", e)
}

func (a *Analysis) enterStep() {
	a.baking, a.waiting = a.continueReasons()
}

func (a *Analysis) verdict(act Action, c Cause, reasons []string, alert string, e Evidence) Verdict {
	return Verdict{Action: act, Cause: c, Step: a.step, Weight: a.cfg.Steps[a.step], Reasons: reasons, Alert: alert, Evidence: e}
}

func latest(t, u time.Time) time.Time {
	if t.After(u) {
		return t
	}
	return u
}
