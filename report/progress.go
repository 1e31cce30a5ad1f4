package report

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/runwayhq/runway"
)

// Terminal control: go to the start of the line and clear it.
const clearLine = "\r\x1b[K"

// statusWidth caps the live status line, in characters, so that it never
// wraps on a narrow terminal (a wrapped line cannot be redrawn in place).
const statusWidth = 79

// refresh is how often the live status line is redrawn.
const refresh = 100 * time.Millisecond

// Progress shows checks as they run. It implements check.Observer:
// CheckStarted and CheckFinished may be called from several goroutines.
//
// Every finished check gets a permanent line ("✔ lint  1.2s  `npm run lint`
// succeeded."). On a terminal (live) a status line below them lists the
// running checks with their elapsed time, redrawn in place. Call Stop when
// the checks are done.
type Progress struct {
	w     io.Writer
	live  bool
	p     palette
	now   func() time.Time
	mu    sync.Mutex
	order []string             // running checks, in start order
	start map[string]time.Time // when each running check started
	shown bool                 // a status line is on screen
	quit  chan struct{}        // closed by Stop; nil when no ticker runs
	done  chan struct{}        // closed when the ticker has stopped
	once  sync.Once
}

// NewProgress returns a Progress writing to w. live redraws a status line
// in place and must only be set for a terminal; color adds ANSI colours.
func NewProgress(w io.Writer, live bool, color bool) *Progress {
	p := newProgress(w, live, color, time.Now)
	if live {
		p.tick(time.NewTicker(refresh))
	}
	return p
}

// newProgress returns a Progress without a ticker: tests drive redraw
// themselves with a fake clock.
func newProgress(w io.Writer, live, color bool, now func() time.Time) *Progress {
	return &Progress{w: w, live: live, p: palette{on: color}, now: now, start: map[string]time.Time{}}
}

// tick redraws the status line on every tick until Stop.
func (p *Progress) tick(t *time.Ticker) {
	p.quit, p.done = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(p.done)
		defer t.Stop()
		for {
			select {
			case <-p.quit:
				return
			case <-t.C:
				p.mu.Lock()
				p.redraw()
				p.mu.Unlock()
			}
		}
	}()
}

// CheckStarted records that a check started.
func (p *Progress) CheckStarted(name string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.start[name]; !ok {
		p.order = append(p.order, name)
	}
	p.start[name] = p.now()
	p.redraw()
}

// CheckFinished prints the check's permanent line.
func (p *Progress) CheckFinished(res runway.CheckResult) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.start[res.Name]; ok {
		delete(p.start, res.Name)
		p.order = remove(p.order, res.Name)
	}
	p.clear()
	fmt.Fprintf(p.w, "%s %-10s %6s  %s\n", p.p.symbol(res.Status), clean(res.Name), duration(res.DurationMS), clean(oneLine(res.Summary)))
	p.redraw()
}

// Stop stops redrawing and removes the status line. It is safe to call
// more than once.
func (p *Progress) Stop() {
	p.once.Do(func() {
		if p.quit != nil {
			close(p.quit)
			<-p.done
		}
		p.mu.Lock()
		defer p.mu.Unlock()
		p.clear()
		p.live = false
	})
}

// redraw replaces the status line with the running checks and their
// elapsed time. The caller holds mu.
func (p *Progress) redraw() {
	if !p.live {
		return
	}
	p.clear()
	if len(p.order) == 0 {
		return
	}
	now := p.now()
	parts := make([]string, len(p.order))
	for i, name := range p.order {
		parts[i] = fmt.Sprintf("%s %.1fs", clean(name), now.Sub(p.start[name]).Seconds())
	}
	io.WriteString(p.w, truncate("Running: "+strings.Join(parts, " · "), statusWidth))
	p.shown = true
}

// clear removes the status line, if one is shown. The caller holds mu.
func (p *Progress) clear() {
	if p.shown {
		io.WriteString(p.w, clearLine)
		p.shown = false
	}
}

// truncate shortens s to n characters, ending with "…" when cut.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

func remove(list []string, s string) []string {
	out := list[:0]
	for _, v := range list {
		if v != s {
			out = append(out, v)
		}
	}
	return out
}
