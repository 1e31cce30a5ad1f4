package rollout

import (
	"fmt"
	"math"
	"math/bits"
	"strconv"
	"strings"
	"time"
)

// describe says, in words, what the canary did in a stream. versus says
// the comparison is with the stable version's requests of the same time
// rather than with the SLO. short is the same, shorter, for alerts.
func (a *Analysis) describe(c Cause, versus bool) (what, short string) {
	switch c {
	case CauseProbes:
		n, k := a.canary.Probes, a.canary.ProbeFailures
		row := bits.TrailingZeros64(^a.canaryProbe)
		short = fmt.Sprintf("the platform's test requests to the new version failed %d of %d times", k, n)
		if k == n {
			short = fmt.Sprintf("the platform's test requests to the new version failed all %d times", n)
		}
		if row >= 2 && row < k {
			short = fmt.Sprintf("the platform's test requests to the new version failed %d times in a row", row)
			return fmt.Sprintf("%s (%d of %d in all; %s)", short, k, n, a.oldProbes()), short
		}
		return fmt.Sprintf("%s (%s)", short, a.oldProbes()), short
	case CauseSlow:
		verb := fmt.Sprintf("was slow (over %s) for", a.cfg.SLO.SlowAfter.String())
		old := a.oldRate(a.stable.Slow, a.stable.Requests, a.baseline.Slow, a.baseline.Requests, versus, "was slow for", "is slow for", " of its requests", a.cfg.SLO.SlowShare)
		return a.tally(verb, a.canary.Slow, a.canarySlow, old)
	default:
		old := a.oldRate(a.stable.Errors, a.stable.Requests, a.baseline.Errors, a.baseline.Requests, versus, "failed", "fails", "", a.cfg.SLO.ErrorRate)
		return a.tally("failed", a.canary.Errors, a.canaryErr, old)
	}
}

// tally is "the new version failed 9 of its first 10 requests (old)",
// choosing between its first requests, its last 20 and all of them.
func (a *Analysis) tally(verb string, k int, last uint64, old string) (what, short string) {
	n := a.canary.Requests
	switch r := recent(last, 20); {
	case n <= 20:
		short = fmt.Sprintf("the new version %s %d of its first %d requests", verb, k, n)
		return fmt.Sprintf("%s (%s)", short, old), short
	case r >= 10:
		short = fmt.Sprintf("the new version %s %d of its last 20 requests", verb, r)
		return fmt.Sprintf("%s (%s of %s in all; %s)", short, count(k), count(n), old), short
	default:
		short = fmt.Sprintf("the new version %s %s of its %s requests, %s", verb, count(k), count(n), pct(rate(k, n)))
		return fmt.Sprintf("%s (%s)", short, old), short
	}
}

// oldRate says how the stable version did: over the canary's time for a
// comparison, over everything measured otherwise, or what the SLO allows
// when nothing was.
func (a *Analysis) oldRate(k, n, bk, bn int, versus bool, past, present, of string, slo float64) string {
	if versus {
		return fmt.Sprintf("the old version %s %s%s over the same time", past, pct(rate(k, n)), of)
	}
	if n+bn == 0 {
		return "the SLO allows " + pct(slo)
	}
	return fmt.Sprintf("the old version %s %s%s", present, pct(rate(k+bk, n+bn)), of)
}

func (a *Analysis) oldProbes() string {
	n, k := a.stable.Probes+a.baseline.Probes, a.stable.ProbeFailures+a.baseline.ProbeFailures
	if n == 0 {
		return "the old version was not probed"
	}
	return fmt.Sprintf("the old version's test requests fail %s of the time", pct(rate(k, n)))
}

// chance says how unlikely the rollback is for a good version: a test's
// evidence reaches x with probability at most 1/x.
func (a *Analysis) chance(c Cause, t Test) string {
	var good string
	switch c {
	case CauseErrors:
		good = fmt.Sprintf("A version that fails at most %s of its requests", pct(t.Limit))
	case CauseSlow:
		good = fmt.Sprintf("A version that is slow for at most %s of its requests", pct(t.Limit))
	case CauseProbes:
		good = fmt.Sprintf("A version whose test requests fail at most %s of the time", pct(t.Limit))
	default:
		good = "A version no worse than the old one"
	}
	return fmt.Sprintf("%s would look this bad by chance in fewer than 1 of %s rollouts.", good, count(int(math.Round(t.Threshold))))
}

// doubt is the reason of a hold for suspicion.
func (a *Analysis) doubt(c Cause, versus bool) ([]string, string) {
	what, short := a.describe(c, versus)
	w := a.cfg.Steps[a.step]
	return []string{
		capitalize(what) + ": not enough to be sure it is worse, too much to give it more traffic.",
		fmt.Sprintf("The rollout stays at %d%% until more requests settle it: it goes on if they go well and rolls back if the trouble goes on.", w),
	}, "On hold: " + short + "."
}

// bothFailing is the reason of a hold because the stable version goes
// bad too.
func (a *Analysis) bothFailing(c Cause, weight int) ([]string, string) {
	var what, short string
	switch c {
	case CauseProbes:
		n := min(a.stable.Probes, 64)
		k := recent(a.stableProbe, n)
		what = fmt.Sprintf("The platform's test requests to the old version fail too: %d of its last %d failed.", k, n)
		short = "On hold: the test requests to both versions fail."
	case CauseSlow:
		n := min(a.stable.Requests, 64)
		k := recent(a.stableSlow, n)
		what = fmt.Sprintf("The old version is slow too: %d of its last %d requests took over %s.", k, n, a.cfg.SLO.SlowAfter.String())
		short = fmt.Sprintf("On hold: both versions are slow (the old version %d of its last %d requests).", k, n)
	default:
		n := min(a.stable.Requests, 64)
		k := recent(a.stableErr, n)
		what = fmt.Sprintf("The old version is failing too: %d of its last %d requests failed.", k, n)
		short = fmt.Sprintf("On hold: both versions are failing (the old version %d of its last %d requests).", k, n)
	}
	return []string{
		what + " The cause is probably something both versions share (a database, another service, the platform), so the new version is not blamed for it.",
		fmt.Sprintf("The rollout stays at %d%% and goes on by itself when the old version recovers.", weight),
	}, short
}

func noData(quiet time.Duration, weight int) ([]string, string) {
	return []string{
		fmt.Sprintf("No requests to the app were measured for %s: either nobody is using it right now or the measurements stopped.", dur(quiet)),
		fmt.Sprintf("Nothing is decided on missing data: the rollout stays at %d%% and goes on by itself when requests are measured again.", weight),
	}, fmt.Sprintf("On hold: no requests measured for %s.", dur(quiet))
}

func starved(quiet time.Duration, stable, weight int) ([]string, string) {
	return []string{
		fmt.Sprintf("The new version got no requests for %s while the old version got %s, although it should get %d%% of them: the traffic split may not be working, or the few people using the app are all on the old version.", dur(quiet), count(stable), weight),
		fmt.Sprintf("The rollout stays at %d%% and goes on by itself when the new version gets requests again.", weight),
	}, fmt.Sprintf("On hold: the new version got no requests for %s.", dur(quiet))
}

// health is "0.5% of its requests failed and 2% were slow; the old
// version: 0.4% and 2%".
func (a *Analysis) health(e Evidence) string {
	s := e.Stable
	s.add(e.Baseline)
	old := "the old version had no measured requests"
	if s.Requests > 0 {
		old = fmt.Sprintf("the old version: %s and %s", pct(rate(s.Errors, s.Requests)), pct(rate(s.Slow, s.Requests)))
	}
	return fmt.Sprintf("%s of its requests failed and %s were slow; %s", pct(rate(e.Canary.Errors, e.Canary.Requests)), pct(rate(e.Canary.Slow, e.Canary.Requests)), old)
}

func (a *Analysis) advanced(passed int, e Evidence) []string {
	return []string{
		fmt.Sprintf("The new version passed the %d%% step: %s requests in %s with nothing wrong (%s).", a.cfg.Steps[passed], count(e.StepRequests), dur(e.InStep), a.health(e)),
		fmt.Sprintf("It now gets %d%% of the traffic.", a.cfg.Steps[a.step]),
	}
}

func (a *Analysis) promoted(e Evidence) []string {
	return []string{
		fmt.Sprintf("The new version passed every step: %s requests in %s with nothing wrong (%s).", count(e.Canary.Requests), dur(e.At.Sub(a.start)), a.health(e)),
		"It now gets all the traffic and becomes the stable version.",
	}
}

func (a *Analysis) continueReasons() (baking, waiting []string) {
	w := a.cfg.Steps[a.step]
	baking = []string{fmt.Sprintf("The new version gets %d%% of the traffic and stays at this step for at least %s; every request it serves is checked.", w, dur(a.cfg.MinBake))}
	waiting = []string{fmt.Sprintf("The new version gets %d%% of the traffic and needs %s requests at this step before it gets more; the rollout waits for them.", w, count(a.cfg.MinRequests))}
	return baking, waiting
}

// pct formats a share as a percentage with two significant digits.
func pct(x float64) string {
	p := 100 * x
	if p >= 10 {
		return fmt.Sprintf("%.0f%%", p)
	}
	return strconv.FormatFloat(p, 'g', 2, 64) + "%"
}

// count formats n with thousands separators.
func count(n int) string {
	if n < 0 {
		return "-" + count(-n)
	}
	s := strconv.Itoa(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// dur formats a duration the way people say it: "45 seconds", "12
// minutes", "1 hour 5 minutes".
func dur(d time.Duration) string {
	plural := func(n int, unit string) string {
		if n == 1 {
			return "1 " + unit
		}
		return fmt.Sprintf("%d %ss", n, unit)
	}
	switch {
	case d < time.Minute:
		return plural(int(d.Round(time.Second)/time.Second), "second")
	case d < time.Hour:
		return plural(int(d/time.Minute), "minute")
	}
	h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
	if m == 0 {
		return plural(h, "hour")
	}
	return plural(h, "hour") + " " + plural(m, "minute")
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
