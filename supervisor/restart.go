package supervisor

import (
	"time"

	"github.com/runwayhq/runway"
)

// run supervises the process until it is stopped, gives up or is
// detached. a is the first run, already started.
func (p *Process) run(a *attempt) {
	defer close(p.done)
	defer p.log.Close()
	var launchErr error
	for {
		var ex Exit
		if a != nil {
			o := p.watch(a)
			if o.detached {
				p.detachRun(a)
				return
			}
			ex = p.finish(a, o)
		} else {
			now := p.s.now()
			ex = Exit{At: now, Code: -1, Reason: "could not start: " + launchErr.Error()}
		}
		if p.isStopping() {
			p.log.event("stopped (%s)", ex.Reason)
			p.end(StateStopped, ex, nil)
			return
		}
		delay, giveUp := p.backoff(ex)
		if giveUp {
			err := runway.Errorf(runway.EUNAVAILABLE, "%s crashed %d times in a row and was given up: %s", p.key, p.failures(), ex.Reason)
			p.log.event("%s; given up after %d crashes in a row", ex.Reason, p.failures())
			p.end(StateFailed, ex, err)
			return
		}
		p.log.event("%s; restarting in %s", ex.Reason, delay.Round(time.Millisecond))
		switch p.pause(delay) {
		case pauseStopped:
			p.log.event("stopped")
			p.end(StateStopped, ex, nil)
			return
		case pauseDetached:
			p.set(func(st *Status) { st.State = StateDetached })
			p.s.forget(p)
			return
		}
		p.set(func(st *Status) { st.Restarts++ })
		a, launchErr = p.launch()
	}
}

// backoff counts the crash and returns how long to wait before the next
// start, or whether to give up.
func (p *Process) backoff(ex Exit) (time.Duration, bool) {
	r := p.s.opts.Restart
	var delay time.Duration
	var failures int
	p.set(func(st *Status) {
		if ex.Ran >= r.ResetAfter {
			st.Failures = 0
		}
		st.Failures++
		failures = st.Failures
		delay = r.Initial
		for i := 1; i < st.Failures && delay < r.Max; i++ {
			delay *= 2
		}
		delay = min(delay, r.Max)
		st.State = StateBackoff
		if st.Failures >= r.CrashLoopAfter {
			st.State = StateCrashLoop
		}
		st.PID = 0
		st.NextStart = ex.At.Add(delay)
		ex := ex
		st.LastExit = &ex
	})
	return delay, r.MaxRestarts > 0 && failures > r.MaxRestarts
}

func (p *Process) failures() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.st.Failures
}

type pauseResult int

const (
	pauseDone pauseResult = iota
	pauseStopped
	pauseDetached
)

func (p *Process) pause(d time.Duration) pauseResult {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return pauseDone
	case <-p.stopC:
		return pauseStopped
	case <-p.detachC:
		return pauseDetached
	}
}
