package rollout

import "time"

// Version says which version served a request.
type Version uint8

// Versions.
const (
	// Stable is the version in production before the rollout: the old
	// version, the baseline.
	Stable Version = iota
	// Canary is the new version being rolled out.
	Canary
)

// String returns "stable" or "canary".
func (v Version) String() string {
	if v == Canary {
		return "canary"
	}
	return "stable"
}

// Observation is one request as the proxy (or a metrics source) saw it.
type Observation struct {
	// At is when the request ended. The analysis takes its time from the
	// observations and from Decide, never from a clock.
	At time.Time
	// Version is the version that served the request.
	Version Version
	// Status is the HTTP status of the answer; 0 means there was none (the
	// proxy could not connect, the version crashed or timed out).
	Status int
	// Latency is how long the request took.
	Latency time.Duration
	// Synthetic marks the platform's own test requests (probes): they are a
	// separate stream, never counted as users' requests.
	Synthetic bool
}

// Failed says whether the request failed: no answer or a 5xx for users'
// requests; for probes, which ask for pages that must work, any answer
// from 400 up too.
func (o Observation) Failed() bool {
	if o.Synthetic {
		return o.Status == 0 || o.Status >= 400
	}
	return o.Status == 0 || o.Status >= 500
}

// Counts are what a version did: users' requests and probes, with how
// many went bad. Given to Analysis.Baseline, they are what the stable
// version did before the rollout started, as the proxy measured it (for
// example over the last hour).
type Counts struct {
	Requests      int `json:"requests"`       // users' requests
	Errors        int `json:"errors"`         // of which failed (no answer or 5xx)
	Slow          int `json:"slow"`           // of which took longer than the SLO's SlowAfter
	Probes        int `json:"probes"`         // the platform's probes
	ProbeFailures int `json:"probe_failures"` // of which failed
}
