package report

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/runwayhq/runway"
)

// clock is a fake time source that tests move by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// safeBuffer is a bytes.Buffer the race detector accepts from several
// goroutines; Progress must serialise its writes anyway.
type safeBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *safeBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *safeBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestProgressLive(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	c := &clock{t: started}
	p := newProgress(&out, true, false, c.now)
	p.CheckStarted("lint")
	c.advance(300 * time.Millisecond)
	p.CheckStarted("test")
	c.advance(900 * time.Millisecond)
	p.mu.Lock()
	p.redraw() // what the ticker does
	p.mu.Unlock()
	p.CheckFinished(runway.CheckResult{Name: "lint", Status: runway.StatusPass, DurationMS: 1200, Summary: "`npm run lint` succeeded."})
	c.advance(2 * time.Second)
	p.CheckFinished(runway.CheckResult{Name: "test", Status: runway.StatusFail, DurationMS: 3100, Summary: "`npm test` failed (exit code 1)."})
	p.Stop()
	p.Stop() // twice is fine
	p.CheckFinished(runway.CheckResult{Name: "late", Status: runway.StatusSkipped, Summary: "Not run."})

	want := "Running: lint 0.0s" +
		"\r\x1b[KRunning: lint 0.3s · test 0.0s" +
		"\r\x1b[KRunning: lint 1.2s · test 0.9s" +
		"\r\x1b[K✔ lint         1.2s  `npm run lint` succeeded.\n" +
		"Running: test 0.9s" +
		"\r\x1b[K✖ test         3.1s  `npm test` failed (exit code 1).\n" +
		"– late         0.0s  Not run.\n"
	if diff := cmp.Diff(want, out.String()); diff != "" {
		t.Errorf("live output (-want +got):\n%s", diff)
	}
}

func TestProgressNotLive(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	c := &clock{t: started}
	p := newProgress(&out, false, false, c.now)
	p.CheckStarted("lint")
	p.mu.Lock()
	p.redraw()
	p.mu.Unlock()
	p.CheckFinished(runway.CheckResult{Name: "lint", Status: runway.StatusPass, DurationMS: 1200, Summary: "`npm run lint`\nsucceeded.\x1b[31m"})
	p.Stop()
	want := "✔ lint         1.2s  `npm run lint` succeeded.\n"
	if diff := cmp.Diff(want, out.String()); diff != "" {
		t.Errorf("output (-want +got):\n%s", diff)
	}
}

func TestProgressColor(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	p := newProgress(&out, false, true, (&clock{t: started}).now)
	p.CheckFinished(runway.CheckResult{Name: "lint", Status: runway.StatusFail, DurationMS: 1200, Summary: "failed"})
	if want := "\x1b[31m✖\x1b[0m lint         1.2s  failed\n"; out.String() != want {
		t.Errorf("got %q, want %q", out.String(), want)
	}
}

// TestProgressStatusLineFits keeps the status line on one terminal line.
func TestProgressStatusLineFits(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	p := newProgress(&out, true, false, (&clock{t: started}).now)
	for i := range 12 {
		p.CheckStarted(fmt.Sprintf("check-number-%d", i))
	}
	last := out.String()[strings.LastIndex(out.String(), "\r\x1b[K")+len("\r\x1b[K"):]
	if n := len([]rune(last)); n > statusWidth || !strings.HasSuffix(last, "…") {
		t.Errorf("status line has %d characters, want at most %d ending with …: %q", n, statusWidth, last)
	}
}

// TestProgressConcurrent runs checks from many goroutines with the real
// ticker; run it with -race. Every finished check gets exactly one whole
// line.
func TestProgressConcurrent(t *testing.T) {
	t.Parallel()
	var out safeBuffer
	p := NewProgress(&out, true, true)
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := fmt.Sprintf("c%02d", i)
			p.CheckStarted(name)
			p.CheckFinished(runway.CheckResult{Name: name, Status: runway.StatusPass, Summary: "done " + name})
		}()
	}
	wg.Wait()
	p.Stop()
	p.CheckStarted("after-stop") // must not draw or panic
	text := out.String()
	for i := range 20 {
		if n := strings.Count(text, fmt.Sprintf(" %-10s %6s  done %[1]s\n", fmt.Sprintf("c%02d", i), "0.0s")); n != 1 {
			t.Errorf("check c%02d: %d whole permanent lines, want 1", i, n)
		}
	}
	if tail := text[strings.LastIndex(text, "\n")+1:]; tail != "" && !strings.HasSuffix(tail, clearLine) {
		t.Errorf("Stop left the status line on screen: %q", tail)
	}
}

// observer is check.Observer, repeated here because this package must not
// import check.
type observer interface {
	CheckStarted(name string)
	CheckFinished(res runway.CheckResult)
}

var _ observer = (*Progress)(nil)
