//go:build ignore

// Command proxyload measures the latency the Runway proxy adds (issue 7),
// side by side with nginx, run by bench/proxy.sh:
//
//	go build -o proxyload bench/proxyload.go
//	proxyload backend -ready FILE [-size BYTES]
//	proxyload proxy -backend URL -ready FILE
//	proxyload port
//	proxyload load -target NAME=URL[,host=HOST][,pids=PID+PID] ... [-rate R] [-duration D]
//	               [-warmup D] [-rounds N] [-goal D] [-goal-target NAME]
//
// backend is the app: a Go HTTP server answering every request with SIZE
// bytes. proxy is the Runway proxy (package proxy, its own http.Server)
// routing bench.production to that backend. Each writes its URL to the
// ready file once it listens on a free loopback port. port prints a free
// loopback port (for nginx's configuration).
//
// load drives the targets open-loop: requests leave at fixed intervals
// whatever the target does, and each latency runs from the request's
// scheduled time to the last byte of its response, so a slow target
// cannot hide its queueing (no coordinated omission). The targets take
// turns, ROUNDS times, each turn after its own warm-up, so that drift of
// the machine spreads over all of them. The first target is the baseline:
// the tables show what each other one adds at p50 and p99, and the CPU
// its server processes used per 1,000 requests. Latency is shown twice:
// from the scheduled time, and from the moment the request really left
// (the generator's goroutine may start late on a busy machine; that lag
// is the generator's, and the second table leaves it out). With -goal, load exits 1
// when the -goal-target (or any target) adds that much or more at p99;
// it always exits 1 when a request failed.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/runwayhq/runway/proxy"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("proxyload: ")
	if len(os.Args) < 2 {
		log.Fatal("usage: proxyload backend|proxy|port|load ...")
	}
	var err error
	switch cmd, args := os.Args[1], os.Args[2:]; cmd {
	case "backend":
		err = backendCommand(args)
	case "proxy":
		err = proxyCommand(args)
	case "port":
		err = portCommand()
	case "load":
		err = loadCommand(args)
	default:
		err = fmt.Errorf("unknown command %q: use backend, proxy, port or load", cmd)
	}
	if err != nil {
		log.Fatal(err)
	}
}

// serve listens on a free loopback port, writes the URL to ready, and
// serves h until the process is killed.
func serve(h http.Handler, ready string) error {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	url := "http://" + l.Addr().String()
	if err := os.WriteFile(ready+".tmp", []byte(url+"\n"), 0o644); err != nil {
		return err
	}
	if err := os.Rename(ready+".tmp", ready); err != nil {
		return err
	}
	return (&http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}).Serve(l)
}

func backendCommand(args []string) error {
	fs := flag.NewFlagSet("backend", flag.ExitOnError)
	ready := fs.String("ready", "", "write the URL here once listening")
	size := fs.Int("size", 256, "response body bytes")
	fs.Parse(args)
	body := []byte(strings.Repeat("x", *size-1) + "\n")
	return serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.Write(body)
	}), *ready)
}

func proxyCommand(args []string) error {
	fs := flag.NewFlagSet("proxy", flag.ExitOnError)
	ready := fs.String("ready", "", "write the URL here once listening")
	backend := fs.String("backend", "", "the backend's URL")
	fs.Parse(args)
	p, err := proxy.New(proxy.Options{Table: proxy.Table{Routes: []proxy.Route{
		{App: "bench", Env: "production", Stable: proxy.Backend{Version: "v1", URL: *backend}},
	}}})
	if err != nil {
		return err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	url := "http://" + l.Addr().String()
	if err := os.WriteFile(*ready+".tmp", []byte(url+"\n"), 0o644); err != nil {
		return err
	}
	if err := os.Rename(*ready+".tmp", *ready); err != nil {
		return err
	}
	return p.Server("").Serve(l)
}

func portCommand() error {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer l.Close()
	fmt.Println(l.Addr().(*net.TCPAddr).Port)
	return nil
}

// target is one thing to measure.
type target struct {
	name, url, host string
	pids            []int
	samples         []time.Duration // from the scheduled time, all rounds
	service         []time.Duration // from the actual send, all rounds
	errors          int
	firstErr        error
	cpu             time.Duration // its processes' CPU during the measured phases
	lagP99          time.Duration // the generator's worst round
}

type targetList []*target

func (l *targetList) String() string { return "" }

func (l *targetList) Set(s string) error {
	name, rest, ok := strings.Cut(s, "=")
	if !ok {
		return errors.New("want NAME=URL[,host=HOST][,pids=PID+PID]")
	}
	fields := strings.Split(rest, ",")
	t := &target{name: name, url: fields[0]}
	for _, f := range fields[1:] {
		k, v, _ := strings.Cut(f, "=")
		switch k {
		case "host":
			t.host = v
		case "pids":
			for p := range strings.SplitSeq(v, "+") {
				n, err := strconv.Atoi(p)
				if err != nil {
					return fmt.Errorf("pid %q: %w", p, err)
				}
				t.pids = append(t.pids, n)
			}
		default:
			return fmt.Errorf("unknown target option %q", k)
		}
	}
	*l = append(*l, t)
	return nil
}

func loadCommand(args []string) error {
	fs := flag.NewFlagSet("load", flag.ExitOnError)
	var targets targetList
	fs.Var(&targets, "target", "NAME=URL[,host=HOST][,pids=PID+PID] (repeat; the first is the baseline)")
	rate := fs.Float64("rate", 1000, "requests per second")
	duration := fs.Duration("duration", 30*time.Second, "measured time per target, over all rounds")
	warmup := fs.Duration("warmup", 2*time.Second, "unmeasured time before each turn")
	rounds := fs.Int("rounds", 3, "turns per target")
	goal := fs.Duration("goal", 0, "exit 1 when the -goal-target adds this much or more at p99 over the baseline")
	goalTarget := fs.String("goal-target", "", "the target the goal applies to (default: every one)")
	fs.Parse(args)
	if len(targets) == 0 {
		return errors.New("no -target")
	}
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		Proxy: nil, MaxIdleConns: 1024, MaxIdleConnsPerHost: 1024, IdleConnTimeout: time.Minute, DisableCompression: true,
	}}
	ctx := context.Background()
	turn := *duration / time.Duration(*rounds)
	load0 := loadavg()
	for r := range *rounds {
		for _, t := range targets {
			run(ctx, client, t, *rate, *warmup, false)
			cpu0 := procCPU(t.pids)
			lag := run(ctx, client, t, *rate, turn, true)
			t.cpu += procCPU(t.pids) - cpu0
			t.lagP99 = max(t.lagP99, lag)
			fmt.Fprintf(os.Stderr, "round %d/%d: %s done\n", r+1, *rounds, t.name)
		}
	}
	fmt.Printf("load average %s -> %s (the machine's other work shows in every row)\n", load0, loadavg())
	return report(targets, *rate, *goal, *goalTarget)
}

// loadavg is the 1-minute load average.
func loadavg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return "?"
	}
	return f[0]
}

// run sends requests to t at rate for d, open-loop, and returns the
// generator's send lag p99. Measured latencies are kept when keep is set.
func run(ctx context.Context, client *http.Client, t *target, rate float64, d time.Duration, keep bool) time.Duration {
	n := int(rate * d.Seconds())
	interval := time.Duration(float64(time.Second) / rate)
	lat := make([]time.Duration, n)
	lags := make([]time.Duration, n)
	svc := make([]time.Duration, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	// The Go runtime's timers wake up to a millisecond late when it is
	// idle; nanosleep on a thread of its own keeps the schedule to a few
	// microseconds without spinning.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	start := time.Now().Add(10 * time.Millisecond)
	for i := range n {
		at := start.Add(time.Duration(i) * interval)
		if wait := time.Until(at); wait > 0 {
			ts := syscall.NsecToTimespec(int64(wait))
			syscall.Nanosleep(&ts, nil)
		}
		wg.Go(func() {
			sent := time.Now()
			lags[i] = sent.Sub(at)
			errs[i] = fetch(ctx, client, t)
			lat[i] = time.Since(at)
			svc[i] = time.Since(sent)
		})
	}
	wg.Wait()
	if keep {
		for i := range n {
			if errs[i] != nil {
				t.errors++
				if t.firstErr == nil {
					t.firstErr = errs[i]
				}
				continue
			}
			t.samples = append(t.samples, lat[i])
			t.service = append(t.service, svc[i])
		}
	}
	slices.Sort(lags)
	return pct(lags, 0.99)
}

func fetch(ctx context.Context, client *http.Client, t *target) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, t.url, nil)
	if err != nil {
		return err
	}
	if t.host != "" {
		req.Host = t.host
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", t.url, resp.Status)
	}
	return nil
}

func report(targets []*target, rate float64, goal time.Duration, goalTarget string) error {
	for _, t := range targets {
		slices.Sort(t.samples)
		slices.Sort(t.service)
	}
	fmt.Printf("open loop at %.0f req/s, %d requests per target; ms\n", rate, len(targets[0].samples)+targets[0].errors)
	failed := table(targets, "latency from the scheduled send (includes the generator's own lag)", func(t *target) []time.Duration { return t.samples }, 0, "")
	failed = table(targets, "latency from the actual send (what the target adds; the goal applies here)", func(t *target) []time.Duration { return t.service }, goal, goalTarget) || failed
	for _, t := range targets {
		if t.errors > 0 {
			fmt.Printf("%-8s %d errors, the first: %v\n", t.name, t.errors, t.firstErr)
			failed = true
		}
	}
	if failed {
		return fmt.Errorf("requests failed, or the proxy added %v or more at p99", goal)
	}
	return nil
}

// table prints one latency table and says whether a goal was missed.
func table(targets []*target, title string, of func(*target) []time.Duration, goal time.Duration, goalTarget string) bool {
	fmt.Printf("\n%s\n", title)
	fmt.Printf("%-8s %7s %6s %7s %7s %7s %7s %7s %8s %8s %11s %8s\n",
		"target", "count", "errors", "p50", "p90", "p99", "p99.9", "max", "+p50", "+p99", "CPU/1k req", "lag p99")
	base := of(targets[0])
	failed := false
	for _, t := range targets {
		xs := of(t)
		added50, added99 := "-", "-"
		if t != targets[0] {
			d50, d99 := pct(xs, 0.5)-pct(base, 0.5), pct(xs, 0.99)-pct(base, 0.99)
			added50, added99 = fmt.Sprintf("%+.3f", ms(d50)), fmt.Sprintf("%+.3f", ms(d99))
			if goal > 0 && d99 >= goal && (goalTarget == "" || goalTarget == t.name) {
				failed = true
			}
		}
		cpu := "-"
		if len(t.pids) > 0 && len(xs) > 0 {
			cpu = fmt.Sprintf("%.0f ms", ms(t.cpu)*1000/float64(len(xs)+t.errors))
		}
		fmt.Printf("%-8s %7d %6d %7.3f %7.3f %7.3f %7.3f %7.3f %8s %8s %11s %8.3f\n", t.name, len(xs), t.errors,
			ms(pct(xs, 0.5)), ms(pct(xs, 0.9)), ms(pct(xs, 0.99)), ms(pct(xs, 0.999)), ms(pct(xs, 1)),
			added50, added99, cpu, ms(t.lagP99))
	}
	return failed
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// pct is the p-quantile of sorted durations (nearest rank).
func pct(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(p*float64(len(sorted))+0.999999) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// procCPU is the user and system CPU time the processes have used.
func procCPU(pids []int) time.Duration {
	var total time.Duration
	for _, pid := range pids {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
		if len(f) < 13 {
			continue
		}
		u, _ := strconv.ParseInt(f[11], 10, 64)
		s, _ := strconv.ParseInt(f[12], 10, 64)
		total += time.Duration(u+s) * 10 * time.Millisecond
	}
	return total
}
