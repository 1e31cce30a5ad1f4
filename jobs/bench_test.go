package jobs_test

import (
	"context"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/runwayhq/runway/jobs"
)

// stamped carries its enqueue time so that the handler can measure the
// latency from enqueue to start.
type stamped struct {
	At int64 `json:"at"` // Unix nanoseconds
}

func (stamped) Kind() string { return "bench.stamped" }

// BenchmarkEnqueueAndRun measures, per database, the latency from Enqueue
// to the handler's start and the rate at which jobs start. "latency"
// enqueues one job at a time on an idle queue (200–300 ms apart, more
// than River's 100 ms FetchCooldown); "back-to-back" enqueues the next job as soon
// as the previous one starts, which meets the cooldown; "throughput" has 4
// goroutines enqueue b.N jobs for 100 workers. Each reports jobs/s and the
// p50 and p99 latency in ms. Run the latency cases with -benchtime 50x.
func BenchmarkEnqueueAndRun(b *testing.B) {
	for _, d := range dialects {
		b.Run(d.name+"/latency", func(b *testing.B) { benchLatency(b, d, 200*time.Millisecond) })
		b.Run(d.name+"/back-to-back", func(b *testing.B) { benchLatency(b, d, 0) })
		b.Run(d.name+"/throughput", func(b *testing.B) { benchThroughput(b, d, jobs.Options{Workers: 100}) })
	}
}

// startQueue opens and starts a queue whose handler sends each job's
// enqueue-to-start latency on the returned channel.
func startQueue(b *testing.B, d dialect, o jobs.Options, buffer int) (*jobs.Queue, chan time.Duration) {
	o.PollInterval = time.Second
	q := openQueue(b, d.newURL(b), o)
	lat := make(chan time.Duration, buffer)
	if err := jobs.Register(q, func(ctx context.Context, s stamped) error {
		lat <- time.Since(time.Unix(0, s.At))
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	if err := q.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { q.Stop(context.Background()) })
	return q, lat
}

// benchLatency enqueues one job at a time, gap to 1.5 gap (at random, so
// that enqueues do not line up with River's polls) after the previous one
// started. The gap paces the benchmark; it does not wait for a result.
func benchLatency(b *testing.B, d dialect, gap time.Duration) {
	q, lat := startQueue(b, d, jobs.Options{}, 1)
	ctx := context.Background()
	var all []time.Duration
	b.ResetTimer()
	for b.Loop() {
		if gap > 0 {
			time.Sleep(gap + rand.N(gap/2))
		}
		if _, err := q.Enqueue(ctx, stamped{At: time.Now().UnixNano()}, nil); err != nil {
			b.Fatal(err)
		}
		all = append(all, receive(b, lat, 10*time.Second, "the job to start"))
	}
	var elapsed time.Duration
	if gap == 0 { // jobs/s means something only when not paced
		elapsed = b.Elapsed()
	}
	report(b, all, elapsed)
}

func benchThroughput(b *testing.B, d dialect, o jobs.Options) {
	const enqueuers = 4
	q, lat := startQueue(b, d, o, b.N)
	ctx := context.Background()
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for range enqueuers {
		wg.Go(func() {
			for next.Add(1) <= int64(b.N) {
				if _, err := q.Enqueue(ctx, stamped{At: time.Now().UnixNano()}, nil); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	all := make([]time.Duration, 0, b.N)
	for range b.N {
		all = append(all, receive(b, lat, 30*time.Second, "every job to start"))
	}
	report(b, all, time.Since(start))
}

// report adds the latency percentiles to the benchmark's output, and jobs/s
// when elapsed is not zero.
func report(b *testing.B, all []time.Duration, elapsed time.Duration) {
	b.StopTimer()
	if len(all) == 0 {
		return
	}
	slices.Sort(all)
	pct := func(p float64) float64 {
		return float64(all[int(p*float64(len(all)-1))]) / float64(time.Millisecond)
	}
	if elapsed > 0 {
		b.ReportMetric(float64(len(all))/elapsed.Seconds(), "jobs/s")
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}
