package rollout_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/rollout"
	"github.com/runwayhq/runway/runwaytest"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// traffic is a deterministic stream of users' requests: one every Every,
// every CanaryEvery-th to the canary; the i-th request of a version (from
// 0) fails when its Fails function says so, and is slow when Slow does.
type traffic struct {
	Every       time.Duration
	CanaryEvery int
	CanaryFails func(i int) bool
	StableFails func(i int) bool
	CanarySlow  func(i int) bool
	// ProbeEvery sends a probe to each version every so many requests;
	// ProbeFails says whether the canary's i-th probe fails.
	ProbeEvery int
	ProbeFails func(i int) bool
}

func every(n int) func(int) bool { return func(i int) bool { return n > 0 && i%n == n-1 } }
func always(int) bool            { return true }
func never(int) bool             { return false }

// run is a rollout under test with its own clock.
type run struct {
	t   *testing.T
	a   *rollout.Analysis
	now time.Time
	n   [2]int // requests per version
	p   int    // probes
	seq int
}

func start(t *testing.T, cfg rollout.Config, baseline rollout.Counts) *run {
	t.Helper()
	a, err := rollout.New(cfg, t0)
	if err != nil {
		t.Fatal(err)
	}
	a.Baseline(baseline)
	return &run{t: t, a: a, now: t0}
}

// play sends n requests of tr, deciding after each one, and returns the
// first verdict that is not Continue (or the last one).
func (r *run) play(tr traffic, n int) rollout.Verdict {
	var v rollout.Verdict
	for range n {
		r.now = r.now.Add(tr.Every)
		r.seq++
		ver := rollout.Stable
		fails, slow := tr.StableFails, never
		if tr.CanaryEvery > 0 && r.seq%tr.CanaryEvery == 0 {
			ver, fails = rollout.Canary, tr.CanaryFails
			if tr.CanarySlow != nil {
				slow = tr.CanarySlow
			}
		}
		if fails == nil {
			fails = never
		}
		o := rollout.Observation{At: r.now, Version: ver, Status: 200, Latency: 80 * time.Millisecond}
		if fails(r.n[ver]) {
			o.Status = 503
		}
		if slow(r.n[ver]) {
			o.Latency = 4 * time.Second
		}
		r.n[ver]++
		r.a.Observe(o)
		if tr.ProbeEvery > 0 && r.seq%tr.ProbeEvery == 0 {
			r.probe(tr.ProbeFails != nil && tr.ProbeFails(r.p))
		}
		if v = r.a.Decide(r.now); v.Action != rollout.Continue {
			return v
		}
	}
	return v
}

// probe sends one probe to each version; the canary's fails if told.
func (r *run) probe(canaryFails bool) {
	r.a.Observe(rollout.Observation{At: r.now, Version: rollout.Stable, Status: 200, Synthetic: true})
	status := 200
	if canaryFails {
		status = 404
	}
	r.a.Observe(rollout.Observation{At: r.now, Version: rollout.Canary, Status: status, Synthetic: true})
	r.p++
}

// wait lets d pass with no request, deciding every minute, and returns the
// verdicts seen.
func (r *run) wait(d time.Duration) []rollout.Verdict {
	var vs []rollout.Verdict
	for end := r.now.Add(d); r.now.Before(end); {
		r.now = r.now.Add(time.Minute)
		vs = append(vs, r.a.Decide(r.now))
	}
	return vs
}

func tier(n int) rollout.Config { return rollout.DefaultConfig(runway.Tier(n)) }

// An hour of a healthy stable version at 1 request per second: 0.4% failed.
var hour = rollout.Counts{Requests: 3600, Errors: 14, Slow: 50, Probes: 120}

// healthy is 1 request per second, 20% of them... to whichever version
// the weight gives; both versions fail one request in 200.
var healthy = traffic{Every: time.Second, CanaryEvery: 5, CanaryFails: every(200), StableFails: every(250)}

// The scenarios below are both tests and the golden file's examples.

func healthyRollout(t *testing.T) []rollout.Verdict {
	r := start(t, tier(2), hour)
	var vs []rollout.Verdict
	for range 3 {
		v := r.play(healthy, 3600)
		vs = append(vs, v)
		if v.Action == rollout.Promote {
			break
		}
		if v.Weight == 50 {
			healthy := healthy
			healthy.CanaryEvery = 2
			v = r.play(healthy, 3600)
			vs = append(vs, v)
			break
		}
	}
	return vs
}

func hardFailure(t *testing.T) rollout.Verdict {
	r := start(t, tier(2), hour)
	return r.play(traffic{Every: time.Second, CanaryEvery: 5, CanaryFails: func(i int) bool { return i != 1 }, StableFails: every(250)}, 600)
}

func regression(t *testing.T) rollout.Verdict {
	cfg := tier(2)
	cfg.MinRequests = 1 << 30 // stay at 20%
	r := start(t, cfg, hour)
	return r.play(traffic{Every: time.Second, CanaryEvery: 5, CanaryFails: every(40), StableFails: every(200)}, 50000)
}

func slowCanary(t *testing.T) rollout.Verdict {
	r := start(t, tier(2), hour)
	return r.play(traffic{Every: time.Second, CanaryEvery: 5, CanarySlow: every(2), StableFails: every(250)}, 3600)
}

func failingProbes(t *testing.T) rollout.Verdict {
	r := start(t, tier(2), hour)
	return r.play(traffic{Every: time.Second, CanaryEvery: 5, StableFails: every(250), ProbeEvery: 30, ProbeFails: always}, 3600)
}

func gap(t *testing.T) (before rollout.Verdict, during []rollout.Verdict, after rollout.Verdict) {
	r := start(t, tier(2), hour)
	before = r.play(healthy, 120)
	during = r.wait(30 * time.Minute)
	after = r.play(healthy, 3600)
	return before, during, after
}

func starved(t *testing.T) rollout.Verdict {
	r := start(t, tier(2), hour)
	r.play(healthy, 60)
	return r.play(traffic{Every: time.Second, StableFails: every(250)}, 3600)
}

// sharedOutage is two minutes in which both versions fail every other
// request; it returns the verdicts during the outage and the first one
// after it that is neither Continue nor Hold.
func sharedOutage(t *testing.T) (during []rollout.Verdict, after rollout.Verdict) {
	r := start(t, tier(2), hour)
	r.play(healthy, 120)
	half := func(i int) bool { return i%2 == 0 }
	outage := traffic{Every: time.Second, CanaryEvery: 5, CanaryFails: half, StableFails: half}
	for range 120 {
		during = append(during, r.play(outage, 1))
	}
	for range 7200 {
		if after = r.play(healthy, 1); after.Action != rollout.Hold && after.Action != rollout.Continue {
			break
		}
	}
	return during, after
}

func suspect(t *testing.T) rollout.Verdict {
	r := start(t, tier(2), rollout.Counts{Requests: 20000})
	return r.play(traffic{Every: time.Second, CanaryEvery: 5, CanaryFails: every(15)}, 3600)
}

func TestHealthyRolloutAdvancesThenPromotes(t *testing.T) {
	vs := healthyRollout(t)
	if len(vs) != 2 || vs[0].Action != rollout.Advance || vs[0].Weight != 50 || vs[1].Action != rollout.Promote || vs[1].Weight != 100 {
		t.Fatalf("verdicts %s", actions(vs))
	}
	if got := vs[0].Evidence.InStep; got < 5*time.Minute || got > 6*time.Minute {
		t.Errorf("advanced after %v at step 1, want just after the 5-minute bake", got)
	}
}

func TestHardFailureRollsBackWithinTenRequests(t *testing.T) {
	v := hardFailure(t)
	if v.Action != rollout.Rollback || v.Cause != rollout.CauseErrors || v.Weight != 0 {
		t.Fatalf("verdict %s/%s, want rollback/errors", v.Action, v.Cause)
	}
	if n := v.Evidence.Canary.Requests; n > 10 {
		t.Errorf("rolled back after %d canary requests, want at most 10", n)
	}
	if v.Alert == "" || len(v.Reasons) == 0 {
		t.Error("a rollback must say why and alert")
	}
}

func TestFinalVerdictsStay(t *testing.T) {
	r := start(t, tier(2), hour)
	v := r.play(traffic{Every: time.Second, CanaryEvery: 5, CanaryFails: always}, 600)
	if v.Action != rollout.Rollback {
		t.Fatalf("verdict %s, want rollback", v.Action)
	}
	r.play(healthy, 600)
	again := r.a.Decide(r.now.Add(time.Hour))
	if again.Action != rollout.Rollback || again.Evidence.Canary != v.Evidence.Canary {
		t.Errorf("after a rollback: %s with %+v, want the same rollback", again.Action, again.Evidence.Canary)
	}
}

func TestRegressionAgainstStableRollsBack(t *testing.T) {
	v := regression(t)
	if v.Action != rollout.Rollback || v.Cause != rollout.CauseErrors {
		t.Fatalf("verdict %s/%s, want rollback/errors", v.Action, v.Cause)
	}
	if n := v.Evidence.Canary.Requests; n > 3000 {
		t.Errorf("a canary failing 2.5%% against 0.5%% took %d requests to roll back", n)
	}
}

func TestSlowCanaryRollsBack(t *testing.T) {
	if v := slowCanary(t); v.Action != rollout.Rollback || v.Cause != rollout.CauseSlow {
		t.Fatalf("verdict %s/%s, want rollback/slow", v.Action, v.Cause)
	}
}

func TestFailingProbesRollBack(t *testing.T) {
	v := failingProbes(t)
	if v.Action != rollout.Rollback || v.Cause != rollout.CauseProbes {
		t.Fatalf("verdict %s/%s, want rollback/probes", v.Action, v.Cause)
	}
	if n := v.Evidence.Canary.Probes; n > 6 {
		t.Errorf("rolled back after %d failed probes, want at most 6", n)
	}
}

func TestMissingDataHoldsNeverRollsBack(t *testing.T) {
	before, during, after := gap(t)
	if before.Action != rollout.Continue {
		t.Fatalf("before the gap: %s", before.Action)
	}
	held := false
	for i, v := range during {
		switch {
		case v.Action == rollout.Rollback || v.Action == rollout.Advance || v.Action == rollout.Promote:
			t.Fatalf("minute %d of the gap: %s", i+1, v.Action)
		case v.Action == rollout.Hold:
			if v.Cause != rollout.CauseNoData || v.Alert == "" {
				t.Errorf("minute %d of the gap: hold %s with alert %q", i+1, v.Cause, v.Alert)
			}
			held = true
		case i >= 10:
			t.Errorf("minute %d of the gap: %s, want hold", i+1, v.Action)
		}
	}
	if !held {
		t.Error("a 30-minute gap never held the rollout")
	}
	if after.Action != rollout.Advance {
		t.Errorf("after the gap: %s, want the rollout to go on", after.Action)
	}
}

func TestStarvedCanaryHolds(t *testing.T) {
	if v := starved(t); v.Action != rollout.Hold || v.Cause != rollout.CauseStarved || v.Alert == "" {
		t.Fatalf("verdict %s/%s, want hold/starved with an alert", v.Action, v.Cause)
	}
}

func TestSharedOutageHoldsThenGoesOn(t *testing.T) {
	during, after := sharedOutage(t)
	held := 0
	for i, v := range during {
		switch {
		case v.Action == rollout.Hold && v.Cause == rollout.CauseBothFail:
			held++
		case v.Action != rollout.Continue:
			t.Fatalf("second %d of the outage: %s/%s, want continue or hold", i+1, v.Action, v.Cause)
		}
	}
	if held < 100 {
		t.Errorf("held %d of the outage's 120 seconds, want nearly all", held)
	}
	if after.Action != rollout.Advance {
		t.Errorf("after the outage: %s/%s %v, want advance", after.Action, after.Cause, after.Reasons)
	}
}

func TestSuspicionHoldsAtTheEndOfAStep(t *testing.T) {
	v := suspect(t)
	if v.Action != rollout.Hold || v.Cause != rollout.CauseSuspect || v.Alert == "" {
		t.Fatalf("verdict %s/%s, want hold/suspect", v.Action, v.Cause)
	}
}

func TestProbesAloneNeverPromote(t *testing.T) {
	cfg := tier(2)
	cfg.MinRequests = 0
	r := start(t, cfg, hour)
	for range 6 * 60 {
		r.now = r.now.Add(10 * time.Second)
		r.probe(false)
		if v := r.a.Decide(r.now); v.Action == rollout.Advance || v.Action == rollout.Promote || v.Action == rollout.Rollback {
			t.Fatalf("after %v of probes only: %s", r.now.Sub(t0), v.Action)
		}
	}
}

func TestFailingProbesRollBackWithoutUsers(t *testing.T) {
	r := start(t, tier(2), hour)
	for range 20 {
		r.now = r.now.Add(30 * time.Second)
		r.probe(true)
		if v := r.a.Decide(r.now); v.Action == rollout.Rollback {
			if v.Cause != rollout.CauseProbes || v.Evidence.Canary.Probes > 6 {
				t.Fatalf("rollback for %s after %d probes", v.Cause, v.Evidence.Canary.Probes)
			}
			return
		}
	}
	t.Fatal("20 failed probes and no rollback")
}

func TestMinimumsGateEachStep(t *testing.T) {
	// Busy: 10 requests per second; the bake time decides.
	r := start(t, tier(3), hour)
	v := r.play(traffic{Every: 100 * time.Millisecond, CanaryEvery: 20}, 100000)
	if v.Action != rollout.Advance || v.Evidence.InStep < 10*time.Minute {
		t.Errorf("busy: %s after %v, want advance after the 10-minute bake", v.Action, v.Evidence.InStep)
	}
	// Quiet: a canary request every 2 minutes; the 30 requests decide.
	r = start(t, tier(3), hour)
	v = r.play(traffic{Every: 6 * time.Second, CanaryEvery: 20}, 100000)
	if v.Action != rollout.Advance || v.Evidence.StepRequests != 30 {
		t.Errorf("quiet: %s with %d requests, want advance after exactly 30", v.Action, v.Evidence.StepRequests)
	}
}

func TestContinueAllocatesNothing(t *testing.T) {
	a, err := rollout.New(tier(2), t0)
	if err != nil {
		t.Fatal(err)
	}
	a.Baseline(hour)
	i := 0
	allocs := testing.AllocsPerRun(1000, func() {
		i++
		at := t0.Add(time.Duration(i) * 100 * time.Millisecond)
		a.Observe(rollout.Observation{At: at, Version: rollout.Version(i % 2), Status: 200, Latency: time.Millisecond})
		if v := a.Decide(at); v.Action != rollout.Continue {
			t.Fatalf("verdict %s", v.Action)
		}
	})
	if allocs != 0 {
		t.Errorf("Observe+Decide allocates %v times per request, want 0", allocs)
	}
}

func TestDefaultConfigs(t *testing.T) {
	for tr, steps := range map[int]string{1: "[50 100]", 2: "[20 50 100]", 3: "[5 20 50 100]"} {
		c := tier(tr)
		if err := c.Validate(); err != nil {
			t.Errorf("tier %d: %v", tr, err)
		}
		if got := fmt.Sprint(c.Steps); got != steps {
			t.Errorf("tier %d steps %s, want %s", tr, got, steps)
		}
	}
	if tier(3).Alpha <= tier(2).Alpha {
		t.Error("tier 3 should catch bad versions sooner (larger alpha) than tier 2")
	}
}

func TestValidate(t *testing.T) {
	for name, change := range map[string]func(*rollout.Config){
		"no steps":          func(c *rollout.Config) { c.Steps = nil },
		"not ending at 100": func(c *rollout.Config) { c.Steps = []int{20, 50} },
		"going down":        func(c *rollout.Config) { c.Steps = []int{50, 20, 100} },
		"repeated":          func(c *rollout.Config) { c.Steps = []int{20, 20, 100} },
		"zero step":         func(c *rollout.Config) { c.Steps = []int{0, 100} },
		"alpha zero":        func(c *rollout.Config) { c.Alpha = 0 },
		"alpha large":       func(c *rollout.Config) { c.Alpha = 0.5 },
		"negative bake":     func(c *rollout.Config) { c.MinBake = -time.Second },
		"error rate 0":      func(c *rollout.Config) { c.SLO.ErrorRate = 0 },
		"slow share 1":      func(c *rollout.Config) { c.SLO.SlowShare = 1 },
		"no slow threshold": func(c *rollout.Config) { c.SLO.SlowAfter = 0 },
		"no stale limit":    func(c *rollout.Config) { c.StaleAfter = 0 },
		"negative tolerance": func(c *rollout.Config) {
			c.Tolerance = -0.1
		},
	} {
		c := tier(2)
		change(&c)
		_, err := rollout.New(c, t0)
		var re *runway.Error
		if !errors.As(err, &re) || re.Code != runway.EINVALID {
			t.Errorf("%s: error %v, want EINVALID", name, err)
		}
	}
}

// TestReasonsGolden keeps what people read about each kind of verdict in
// testdata/reasons.golden (go test ./rollout -update rewrites it).
func TestReasonsGolden(t *testing.T) {
	var out strings.Builder
	say := func(title string, v rollout.Verdict) {
		fmt.Fprintf(&out, "== %s\n%s/%s at step %d, weight %d%%\n", title, v.Action, v.Cause, v.Step, v.Weight)
		for _, r := range v.Reasons {
			fmt.Fprintf(&out, "reason: %s\n", r)
		}
		if v.Alert != "" {
			fmt.Fprintf(&out, "alert: %s\n", v.Alert)
		}
		out.WriteString("\n")
	}
	r := start(t, tier(2), hour)
	r.now = r.now.Add(time.Minute)
	say("continue: baking", r.a.Decide(r.now))
	r.now = r.now.Add(10 * time.Minute)
	r.a.Observe(rollout.Observation{At: r.now, Version: rollout.Canary, Status: 200})
	r.a.Observe(rollout.Observation{At: r.now, Version: rollout.Stable, Status: 200})
	say("continue: waiting for requests", r.a.Decide(r.now))
	vs := healthyRollout(t)
	say("advance", vs[0])
	say("promote", vs[len(vs)-1])
	say("rollback: a hard failure", hardFailure(t))
	say("rollback: worse than the stable version", regression(t))
	say("rollback: slow", slowCanary(t))
	say("rollback: probes", failingProbes(t))
	_, during, _ := gap(t)
	say("hold: no data", during[len(during)-1])
	say("hold: the canary gets no requests", starved(t))
	both, _ := sharedOutage(t)
	say("hold: both versions fail", both[len(both)-1])
	say("hold: suspicion", suspect(t))
	runwaytest.Golden(t, "testdata/reasons.golden", []byte(out.String()))
}

func actions(vs []rollout.Verdict) string {
	var s []string
	for _, v := range vs {
		s = append(s, fmt.Sprintf("%s/%s@%d%%", v.Action, v.Cause, v.Weight))
	}
	return strings.Join(s, " ")
}
