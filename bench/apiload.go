//go:build ignore

// Command apiload is the API load benchmark of issue 5 (item 10), run by
// bench/api-load.sh. It is built from this file, apiseed.go and apicache.go:
//
//	go build -o apiload bench/apiload.go bench/apiseed.go bench/apicache.go
//	apiload seed -db URL -out SEED.json [-apps N] [-candidates N] [-workers N] [-cache DIR -key KEY]
//	apiload load -url URL -seed SEED.json [-rate R] [-duration D] [-warmup D] [-label NAME]
//	             [-server-pid PID] [-server-log FILE] [-samples FILE.csv]
//	apiload schema create|drop -db POSTGRES_URL -name SCHEMA
//
// seed fills an empty database through the real store code path
// (sqlstore.Open, CreateTeam, CreateApp, CreateCandidate, CreateUser,
// CreateToken), so every row gets its audit entry in the same transaction,
// and writes what the load needs (app names, candidate counts, the admin
// token) to SEED.json. With -cache it keeps the result and restores it on
// the next run with the same key instead of seeding again.
//
// load drives a running server open-loop: requests leave at fixed
// intervals whatever the server does, and each latency is measured from the
// request's scheduled time, so a slow server cannot hide its queueing
// (no coordinated omission). It runs a list phase and a get phase, each
// after a warm-up, and exits 1 when a class's p99 reaches the goal or any
// request failed. With -server-pid and -server-log it also reports the
// server's CPU use and the time its handlers took by its own request log,
// which tells queueing in the server from time spent elsewhere.
package main

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"maps"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("apiload: ")
	if len(os.Args) < 2 {
		log.Fatal("usage: apiload seed|load|schema ...")
	}
	ctx := context.Background()
	var err error
	switch cmd, args := os.Args[1], os.Args[2:]; cmd {
	case "seed":
		err = seedCommand(ctx, args)
	case "load":
		err = loadCommand(ctx, args)
	case "schema":
		err = schemaCommand(ctx, args)
	default:
		err = fmt.Errorf("unknown command %q: use seed, load or schema", cmd)
	}
	if err != nil {
		log.Fatal(err)
	}
}

// The load side: phases, targets, the open-loop driver and the figures.

// goal is the p99 each class must stay under.
const goal = 50 * time.Millisecond

type target struct{ endpoint, path string }

type phase struct {
	class string
	next  func(*rand.Rand) target
}

type sample struct {
	endpoint string
	latency  time.Duration // from the scheduled start to the last byte
	lag      time.Duration // from the scheduled start to the send
	at       time.Duration // the scheduled start, from the phase's start
	err      error
}

// loadOptions are load's flags.
type loadOptions struct {
	label, serverLog, samples string
	warmup, duration          time.Duration
	serverPID                 int
}

func loadCommand(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("load", flag.ExitOnError)
	base := fs.String("url", "", "the server's URL")
	seedPath := fs.String("seed", "", "the seed file")
	rate := fs.Float64("rate", 200, "requests per second")
	var o loadOptions
	fs.DurationVar(&o.duration, "duration", 30*time.Second, "measured time per phase")
	fs.DurationVar(&o.warmup, "warmup", 5*time.Second, "unmeasured time before each phase")
	fs.StringVar(&o.label, "label", "", "the database, for the table")
	fs.IntVar(&o.serverPID, "server-pid", 0, "the server's process, to report its CPU use")
	fs.StringVar(&o.serverLog, "server-log", "", "the server's JSON request log, to report the time its handlers took")
	fs.StringVar(&o.samples, "samples", "", "also write every measured request to this CSV file")
	fs.Parse(args)
	data, err := os.ReadFile(*seedPath)
	if err != nil {
		return err
	}
	var sf seedFile
	if err := json.Unmarshal(data, &sf); err != nil {
		return fmt.Errorf("%s: %w", *seedPath, err)
	}
	d := &driver{base: strings.TrimSuffix(*base, "/"), token: sf.Token, rate: *rate, client: &http.Client{
		Timeout:   10 * time.Second,
		Transport: &http.Transport{MaxIdleConns: 4096, MaxIdleConnsPerHost: 4096, IdleConnTimeout: time.Minute},
	}}
	if err := d.awaitAuditVerify(ctx); err != nil {
		return err
	}
	fmt.Printf("%-8s %-5s %-38s %6s %6s %7s %7s %7s %7s %7s\n", "database", "class", "endpoint", "count", "errors", "p50_ms", "p90_ms", "p99_ms", "max_ms", "rate/s")
	failed := false
	for _, ph := range phases(&sf) {
		ok, err := d.measure(ctx, ph, o)
		if err != nil {
			return err
		}
		failed = failed || !ok
	}
	if failed {
		return fmt.Errorf("%s: a class's p99 reached %v or requests failed", o.label, goal)
	}
	return nil
}

// measure warms up, runs and reports one phase, and says whether its class
// met the goal without errors.
func (d *driver) measure(ctx context.Context, ph phase, o loadOptions) (bool, error) {
	ok := true
	if n := d.run(ctx, ph, o.warmup, nil); n > 0 {
		fmt.Printf("%-8s %-5s warm-up: %d errors\n", o.label, ph.class, n)
		ok = false
	}
	load0, cpu0, own0, t0, logAt := loadavg(), procCPU(o.serverPID), ownCPU(), time.Now(), fileSize(o.serverLog)
	var samples []sample
	d.run(ctx, ph, o.duration, &samples)
	wall := time.Since(t0)
	if !report(o.label, ph.class, samples, wall) {
		ok = false
	}
	if o.samples != "" {
		if err := dumpSamples(o.samples, ph.class, samples); err != nil {
			return false, err
		}
	}
	if o.serverLog != "" {
		handled, err := handlerTimes(o.serverLog, logAt)
		if err != nil {
			return false, err
		}
		fmt.Printf("%-8s %-5s server handler time (its request log): p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms over %d requests\n", o.label, ph.class,
			ms(pct(handled, 0.5)), ms(pct(handled, 0.9)), ms(pct(handled, 0.99)), ms(pct(handled, 1)), len(handled))
	}
	fmt.Printf("%-8s %-5s loadavg %s -> %s; server CPU %.0f%%, generator CPU %.0f%% of one core\n", o.label, ph.class, load0, loadavg(),
		100*(procCPU(o.serverPID)-cpu0).Seconds()/wall.Seconds(), 100*(ownCPU()-own0).Seconds()/wall.Seconds())
	return ok, nil
}

// phases are the list and get mixes over the seeded data.
func phases(sf *seedFile) []phase {
	withCands := slices.DeleteFunc(slices.Clone(sf.Apps), func(a seedApp) bool { return a.Candidates == 0 })
	busiest := slices.SortedFunc(slices.Values(withCands), func(a, b seedApp) int { return cmp.Compare(b.Candidates, a.Candidates) })
	busiest = busiest[:max(len(busiest)/100, 1)]
	pick := func(r *rand.Rand) seedApp {
		if r.IntN(5) == 0 {
			return busiest[r.IntN(len(busiest))]
		}
		return withCands[r.IntN(len(withCands))]
	}
	list := func(r *rand.Rand) target {
		after := r.Int64N(sf.MaxAppID)
		switch n := r.IntN(10); {
		case n < 4:
			return target{"GET /api/v1/apps?after=", fmt.Sprintf("/api/v1/apps?limit=50&after=%d", after)}
		case n < 5:
			return target{"GET /api/v1/apps?team=&after=", fmt.Sprintf("/api/v1/apps?limit=50&team=%s&after=%d", sf.Apps[r.IntN(len(sf.Apps))].Team, after)}
		case n < 6:
			q := appWords[r.IntN(len(appWords))] // matches one app in twenty
			if r.IntN(2) == 0 {
				a := sf.Apps[r.IntN(len(sf.Apps))].Name // a fragment that matches a few apps
				q = a[:strings.LastIndexByte(a, '-')+2]
			}
			return target{"GET /api/v1/apps?q=", "/api/v1/apps?limit=50&q=" + q}
		case n < 9:
			return target{"GET /api/v1/apps/{app}/candidates", "/api/v1/apps/" + pick(r).Name + "/candidates?limit=50"}
		}
		return target{"GET /api/v1/apps/{app}/candidates?after=", fmt.Sprintf("/api/v1/apps/%s/candidates?limit=50&after=%d", pick(r).Name, 1+r.Int64N(sf.MaxCandidateID))}
	}
	get := func(r *rand.Rand) target {
		if r.IntN(2) == 0 {
			return target{"GET /api/v1/apps/{app}", "/api/v1/apps/" + sf.Apps[r.IntN(len(sf.Apps))].Name}
		}
		a := pick(r)
		return target{"GET /api/v1/apps/{app}/candidates/{n}", fmt.Sprintf("/api/v1/apps/%s/candidates/%d", a.Name, 1+r.IntN(a.Candidates))}
	}
	return []phase{{"list", list}, {"get", get}}
}

type driver struct {
	base, token string
	rate        float64
	client      *http.Client
}

// awaitAuditVerify waits for the audit trail verification `runway up`
// runs in the background when it starts (and hourly), which reads and
// hashes every audit entry: the phases measure the steady state, not that
// minute. A server without the runway_audit_chain_entries gauge is not
// waited for.
func (d *driver) awaitAuditVerify(ctx context.Context) error {
	start := time.Now()
	for time.Since(start) < 10*time.Minute {
		resp, err := d.client.Get(d.base + "/metrics")
		if err != nil {
			return err
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		i := strings.Index(string(body), "\nrunway_audit_chain_entries ")
		if i < 0 {
			return nil
		}
		line, _, _ := strings.Cut(string(body[i+1:]), "\n")
		if f := strings.Fields(line); len(f) < 2 {
			return fmt.Errorf("unexpected metric line %q", line)
		} else if v, _ := strconv.ParseFloat(f[1], 64); v > 0 {
			fmt.Printf("waited %.1f s for the server's startup verification of the audit trail (%.0f entries)\n", time.Since(start).Seconds(), v)
			return nil
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("the server's startup verification of the audit trail did not finish within 10 minutes")
}

// run sends ph's requests at d.rate for dur, open-loop, and waits for the
// last answer. It appends the samples to out when out is not nil and
// returns how many requests failed.
func (d *driver) run(ctx context.Context, ph phase, dur time.Duration, out *[]sample) int {
	interval := time.Duration(float64(time.Second) / d.rate)
	n := int(dur / interval)
	samples := make([]sample, n)
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	var wg sync.WaitGroup
	start := time.Now()
	for i := range n {
		at := start.Add(time.Duration(i) * interval)
		time.Sleep(time.Until(at))
		t := ph.next(r)
		wg.Go(func() {
			samples[i] = d.do(ctx, t, at)
			samples[i].at = at.Sub(start)
		})
	}
	wg.Wait()
	failed := 0
	for _, s := range samples {
		if s.err != nil {
			failed++
		}
	}
	if out != nil {
		*out = samples
	}
	return failed
}

func (d *driver) do(ctx context.Context, t target, at time.Time) sample {
	s := sample{endpoint: t.endpoint, lag: time.Since(at)}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, d.base+t.path, nil)
	if err != nil {
		s.err = err
		return s
	}
	req.Header.Set("Authorization", "Bearer "+d.token)
	resp, err := d.client.Do(req)
	if err == nil {
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err == nil && resp.StatusCode != http.StatusOK {
			err = fmt.Errorf("%s: status %d", t.path, resp.StatusCode)
		}
	}
	s.latency, s.err = time.Since(at), err
	return s
}

// report prints a row per endpoint and one for the class, and says whether
// the class met the goal without errors.
func report(label, class string, samples []sample, wall time.Duration) bool {
	byEndpoint := map[string][]sample{}
	for _, s := range samples {
		byEndpoint[s.endpoint] = append(byEndpoint[s.endpoint], s)
	}
	for _, e := range slices.Sorted(maps.Keys(byEndpoint)) {
		row(label, class, e, byEndpoint[e], wall)
	}
	p99, errs := row(label, class, "(class: all of the above)", samples, wall)
	lags := durations(samples, func(s sample) time.Duration { return s.lag })
	fmt.Printf("%-8s %-5s generator send lag p99 %.1f ms, max %.1f ms\n", label, class, ms(pct(lags, 0.99)), ms(pct(lags, 1)))
	if pct(lags, 0.99) > 10*time.Millisecond {
		fmt.Printf("%-8s %-5s note: the generator itself could not send on time: the machine was busy, and the figures include waiting for a CPU\n", label, class)
	}
	for i, shown := 0, 0; i < len(samples) && shown < 3; i++ {
		if samples[i].err != nil {
			fmt.Printf("%-8s %-5s error: %v\n", label, class, samples[i].err)
			shown++
		}
	}
	return p99 < goal && errs == 0
}

func row(label, class, endpoint string, ss []sample, wall time.Duration) (p99 time.Duration, errs int) {
	for _, s := range ss {
		if s.err != nil {
			errs++
		}
	}
	ls := durations(ss, func(s sample) time.Duration { return s.latency })
	fmt.Printf("%-8s %-5s %-38s %6d %6d %7.1f %7.1f %7.1f %7.1f %7.1f\n", label, class, endpoint, len(ss), errs,
		ms(pct(ls, 0.5)), ms(pct(ls, 0.9)), ms(pct(ls, 0.99)), ms(pct(ls, 1)), float64(len(ss)-errs)/wall.Seconds())
	return pct(ls, 0.99), errs
}

func durations(ss []sample, f func(sample) time.Duration) []time.Duration {
	out := make([]time.Duration, len(ss))
	for i, s := range ss {
		out[i] = f(s)
	}
	slices.Sort(out)
	return out
}

// pct is the nearest-rank percentile of sorted durations.
func pct(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(p*float64(len(sorted))+0.999999) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// dumpSamples appends class's samples to a CSV file: the scheduled time
// (ms from the first), endpoint, latency, send lag and error.
func dumpSamples(path, class string, samples []sample) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	for _, s := range samples {
		msg := ""
		if s.err != nil {
			msg = strconv.Quote(s.err.Error())
		}
		fmt.Fprintf(w, "%s,%.1f,%s,%.2f,%.2f,%s\n", class, ms(s.at), s.endpoint, ms(s.latency), ms(s.lag), msg)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}

// handlerTimes reads the duration_ms of the API requests the server logged
// after offset, sorted.
func handlerTimes(path string, offset int64) ([]time.Duration, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return nil, err
	}
	var out []time.Duration
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var line struct {
			Msg        string  `json:"msg"`
			Route      string  `json:"route"`
			DurationMS float64 `json:"duration_ms"`
		}
		if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "request" && strings.Contains(line.Route, "/api/v1/") {
			out = append(out, time.Duration(line.DurationMS*float64(time.Millisecond)))
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	slices.Sort(out)
	return out, nil
}

// loadavg returns the first three fields of /proc/loadavg.
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return "?"
}

// procCPU returns the user and system time a process has used, from
// /proc/PID/stat (fields 14 and 15, in clock ticks of 1/100 s).
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil || pid == 0 {
		return 0
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	s, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(u+s) * 10 * time.Millisecond
}

func ownCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
