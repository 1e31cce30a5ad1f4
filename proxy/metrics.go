package proxy

import (
	"cmp"
	"slices"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Observation is what happened to one routed request, as the proxy hands
// it to Options.Observe: the raw signal of the canary analysis.
type Observation struct {
	App     string
	Env     string
	Version string
	Canary  bool // the version was the route's canary
	// Status is the response's status; 0 for a proxy error (the backend
	// could not be reached, timed out or broke off its response), 499
	// when the client went away first.
	Status  int
	Latency time.Duration // from the request's arrival to its last byte
	At      time.Time     // the request's arrival
}

// VersionStats are the counts of one version since it entered the
// routing table.
type VersionStats struct {
	App     string
	Env     string
	Version string
	Canary  bool
	Weight  float64 // percent of users routed to it now
	// Requests counts every finished request, whatever its outcome.
	Requests uint64
	// Errors5xx counts the 5xx responses the backend sent.
	Errors5xx uint64
	// ProxyErrors counts requests the backend did not answer: refused,
	// reset, timed out or broken off (the client got a 502 or 504, or a
	// cut response).
	ProxyErrors uint64
	Latency     Histogram
}

// Histogram is a latency histogram with fixed buckets.
type Histogram struct {
	// Bounds are the buckets' upper bounds; Counts has one more entry,
	// for what is above the last bound. Counts are per bucket, not
	// cumulative.
	Bounds []time.Duration
	Counts []uint64
	Count  uint64
	Sum    time.Duration
}

// bounds are the latency buckets: fine below a few milliseconds, where
// local apps answer, and up to the 60 s a backend may take.
var bounds = [...]time.Duration{
	250 * time.Microsecond, 500 * time.Microsecond, time.Millisecond, 2500 * time.Microsecond,
	5 * time.Millisecond, 10 * time.Millisecond, 25 * time.Millisecond, 50 * time.Millisecond,
	100 * time.Millisecond, 250 * time.Millisecond, 500 * time.Millisecond, time.Second,
	2500 * time.Millisecond, 5 * time.Second, 10 * time.Second, 30 * time.Second, time.Minute,
}

// Quantile estimates the q-quantile (0 < q < 1) by linear interpolation
// inside its bucket, as Prometheus' histogram_quantile does; the
// overflow bucket answers the last bound. 0 when the histogram is empty.
func (h Histogram) Quantile(q float64) time.Duration {
	if h.Count == 0 {
		return 0
	}
	rank := q * float64(h.Count)
	var seen float64
	for i, c := range h.Counts {
		if seen+float64(c) < rank || c == 0 {
			seen += float64(c)
			continue
		}
		if i == len(h.Bounds) {
			return h.Bounds[i-1]
		}
		lo := time.Duration(0)
		if i > 0 {
			lo = h.Bounds[i-1]
		}
		return lo + time.Duration(float64(h.Bounds[i]-lo)*(rank-seen)/float64(c))
	}
	return h.Bounds[len(h.Bounds)-1]
}

// meter counts one version's requests with atomics only: the request path
// takes no lock.
type meter struct {
	requests, errors5xx, proxyErrors atomic.Uint64
	sum                              atomic.Int64 // nanoseconds
	counts                           [len(bounds) + 1]atomic.Uint64
}

func (m *meter) record(status int, d time.Duration) {
	m.requests.Add(1)
	switch {
	case status == 0:
		m.proxyErrors.Add(1)
	case status >= 500 && status <= 599:
		m.errors5xx.Add(1)
	}
	i := 0
	for i < len(bounds) && d > bounds[i] {
		i++
	}
	m.counts[i].Add(1)
	m.sum.Add(int64(d))
}

func (m *meter) histogram() Histogram {
	h := Histogram{Bounds: bounds[:], Counts: make([]uint64, len(m.counts)), Sum: time.Duration(m.sum.Load())}
	for i := range m.counts {
		h.Counts[i] = m.counts[i].Load()
		h.Count += h.Counts[i]
	}
	return h
}

// versionKey names a version's meter across tables.
type versionKey struct{ app, env, version string }

func (rt *route) backends() []*backend {
	if rt.canary == nil {
		return []*backend{rt.stable}
	}
	return []*backend{rt.stable, rt.canary}
}

// Stats returns the counts of every version in the routing table, sorted
// by app, environment and version.
func (p *Proxy) Stats() []VersionStats {
	var out []VersionStats
	for _, rt := range p.table.Load().routes {
		for _, b := range rt.backends() {
			out = append(out, VersionStats{
				App: rt.app, Env: rt.env, Version: b.version, Canary: b.canary, Weight: b.weight,
				Requests: b.meter.requests.Load(), Errors5xx: b.meter.errors5xx.Load(),
				ProxyErrors: b.meter.proxyErrors.Load(), Latency: b.meter.histogram(),
			})
		}
	}
	slices.SortFunc(out, func(a, b VersionStats) int {
		return cmp.Or(cmp.Compare(a.App, b.App), cmp.Compare(a.Env, b.Env), cmp.Compare(a.Version, b.Version))
	})
	return out
}

// Unrouted counts the requests no route matched (answered 404).
func (p *Proxy) Unrouted() uint64 { return p.unrouted.Load() }

var (
	versionLabels = []string{"app", "env", "version"}
	descRequests  = prometheus.NewDesc("runway_proxy_requests_total",
		"Requests the proxy finished, by app, environment and version.", versionLabels, nil)
	desc5xx = prometheus.NewDesc("runway_proxy_responses_5xx_total",
		"5xx responses the version sent.", versionLabels, nil)
	descProxyErrors = prometheus.NewDesc("runway_proxy_errors_total",
		"Requests the version did not answer: refused, reset, timed out or cut off (the client got 502 or 504).", versionLabels, nil)
	descLatency = prometheus.NewDesc("runway_proxy_request_duration_seconds",
		"Time from a request's arrival at the proxy to its response's last byte.", versionLabels, nil)
	descWeight = prometheus.NewDesc("runway_proxy_weight_percent",
		"Percentage of users the routing table sends to the version.", append(versionLabels, "role"), nil)
	descUnrouted = prometheus.NewDesc("runway_proxy_unrouted_total",
		"Requests no route matched (404).", nil, nil)
)

// Describe implements prometheus.Collector.
func (p *Proxy) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descRequests, desc5xx, descProxyErrors, descLatency, descWeight, descUnrouted} {
		ch <- d
	}
}

// Collect implements prometheus.Collector: a snapshot of Stats.
func (p *Proxy) Collect(ch chan<- prometheus.Metric) {
	for _, s := range p.Stats() {
		lv := []string{s.App, s.Env, s.Version}
		ch <- prometheus.MustNewConstMetric(descRequests, prometheus.CounterValue, float64(s.Requests), lv...)
		ch <- prometheus.MustNewConstMetric(desc5xx, prometheus.CounterValue, float64(s.Errors5xx), lv...)
		ch <- prometheus.MustNewConstMetric(descProxyErrors, prometheus.CounterValue, float64(s.ProxyErrors), lv...)
		buckets := make(map[float64]uint64, len(s.Latency.Bounds))
		var cum uint64
		for i, b := range s.Latency.Bounds {
			cum += s.Latency.Counts[i]
			buckets[b.Seconds()] = cum
		}
		ch <- prometheus.MustNewConstHistogram(descLatency, s.Latency.Count, s.Latency.Sum.Seconds(), buckets, lv...)
		role := "stable"
		if s.Canary {
			role = "canary"
		}
		ch <- prometheus.MustNewConstMetric(descWeight, prometheus.GaugeValue, s.Weight, append(lv, role)...)
	}
	ch <- prometheus.MustNewConstMetric(descUnrouted, prometheus.CounterValue, float64(p.Unrouted()))
}
