package rollout

import (
	"testing"
	"time"

	"github.com/runwayhq/runway"
)

// benchStream is a day of requests at 20% canary: mostly fine, 0.5%
// failed, 2% slow, a probe pair every 30 requests. Made once, so the
// benchmarks measure the analysis, not the random numbers.
func benchStream() []Observation {
	obs := make([]Observation, 1<<16)
	for i := range obs {
		o := Observation{At: epoch.Add(time.Duration(i) * time.Second), Status: 200, Latency: 80 * time.Millisecond}
		if i%5 == 0 {
			o.Version = Canary
		}
		if i%200 == 7 {
			o.Status = 502
		}
		if i%50 == 3 {
			o.Latency = 3 * time.Second
		}
		if i%30 == 11 || i%30 == 12 {
			o.Synthetic = true
			o.Version = Version(i % 2)
		}
		obs[i] = o
	}
	return obs
}

// benchAnalysis is an analysis that never advances, so that every call
// does the full work of a step in progress.
func benchAnalysis(b *testing.B) *Analysis {
	cfg := DefaultConfig(runway.Tier(2))
	cfg.MinBake = 1000 * time.Hour
	a, err := New(cfg, epoch)
	if err != nil {
		b.Fatal(err)
	}
	a.Baseline(Counts{Requests: 3600, Errors: 18, Slow: 72, Probes: 120})
	return a
}

// BenchmarkObserve is the proxy's cost per request.
func BenchmarkObserve(b *testing.B) {
	obs := benchStream()
	a := benchAnalysis(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		a.Observe(obs[i&(len(obs)-1)])
		i++
	}
}

// BenchmarkObserveDecide is a request followed by a decision, the most a
// proxy would do per request.
func BenchmarkObserveDecide(b *testing.B) {
	obs := benchStream()
	a := benchAnalysis(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		o := obs[i&(len(obs)-1)]
		a.Observe(o)
		if v := a.Decide(o.At); v.Action != Continue {
			b.Fatalf("verdict %s %s: %v", v.Action, v.Cause, v.Reasons)
		}
		i++
	}
}
