package window

import (
	"slices"
	"time"

	"github.com/robfig/cron/v3"
	"github.com/runwayhq/runway"
)

// rule is one compiled spec: its periods are either the openings of a
// cron schedule, each lasting Duration, or the one period [from, to).
type rule struct {
	spec  Spec
	loc   *time.Location
	sched *cron.SpecSchedule // nil for a From/To period
	from  time.Time
	to    time.Time
	// everything is true when the spec applies to every tier and
	// environment.
	everything bool
}

// applies reports whether the rule concerns releases of tier to env.
func (r *rule) applies(tier runway.Tier, env runway.Environment) bool {
	return (len(r.spec.Tiers) == 0 || slices.Contains(r.spec.Tiers, tier)) &&
		(len(r.spec.Environments) == 0 || slices.Contains(r.spec.Environments, env))
}

// next returns the first opening strictly after t, or zero when there is
// none (a period already started, or a cron without an opening within five
// years).
func (r *rule) next(t time.Time) time.Time {
	if r.sched == nil {
		if r.from.After(t) {
			return r.from
		}
		return time.Time{}
	}
	n := r.sched.Next(t)
	// robfig/cron's Next is after t in every case tested, around daylight
	// saving time changes included; should a zone ever make it step back,
	// step on from its answer rather than loop or report a past opening.
	for i := 0; i < 4 && !n.IsZero() && !n.After(t); i++ {
		n = r.sched.Next(n)
	}
	if !n.After(t) {
		return time.Time{}
	}
	return n
}

// covering returns the end of the earliest period that contains t, and
// whether one does. Periods are half-open: [opening, opening+Duration).
func (r *rule) covering(t time.Time) (end time.Time, ok bool) {
	if r.sched == nil {
		return r.to, !t.Before(r.from) && t.Before(r.to)
	}
	// A period containing t opened in (t-Duration, t].
	o := r.next(t.Add(-r.spec.Duration))
	if o.IsZero() || o.After(t) {
		return time.Time{}, false
	}
	return o.Add(r.spec.Duration), true
}

// view is the calendar as one tier and environment see it.
type view struct {
	windows []*rule
	freezes []*rule
}

func (c *Calendar) view(tier runway.Tier, env runway.Environment) view {
	var v view
	if c == nil {
		return v
	}
	for _, r := range c.rules {
		switch {
		case !r.applies(tier, env):
		case r.spec.Freeze:
			v.freezes = append(v.freezes, r)
		default:
			v.windows = append(v.windows, r)
		}
	}
	return v
}

// covering returns, among rules, the one whose period containing t ends
// last, with that end; nil when none contains t.
func covering(rules []*rule, t time.Time) (*rule, time.Time) {
	var by *rule
	var last time.Time
	for _, r := range rules {
		if end, ok := r.covering(t); ok && (by == nil || end.After(last)) {
			by, last = r, end
		}
	}
	return by, last
}

// earliest returns, among rules, the one that opens first after t, with
// that opening; nil when none opens.
func earliest(rules []*rule, t time.Time) (*rule, time.Time) {
	var by *rule
	var first time.Time
	for _, r := range rules {
		if n := r.next(t); !n.IsZero() && (by == nil || n.Before(first)) {
			by, first = r, n
		}
	}
	return by, first
}

// step is how the search for the next open instant got there: the last
// rule that moved it, and whether that was the end of a freeze.
type step struct {
	by        *rule
	endFreeze bool
}

// Searches jump from period to period. Only back-to-back periods of a few
// minutes need many jumps; such a calendar gets an answer that says how far
// the search looked instead of a long wait.
const (
	maxJumps      = 20000 // for the next open instant and the end of a freeze
	maxCloseJumps = 500   // for when an open stretch closes, a detail of messages
)

// nextOpen returns the earliest instant at or after t that lies inside an
// applicable window (when any applies) and outside every applicable
// freeze, searching up to the horizon. When there is none it returns zero,
// and how far it looked: the horizon, or less after maxJumps.
//
// It moves forward in exact jumps: out of a freeze to its end, and, when
// outside every window, to the next opening. Nothing in between can be
// open: the freeze covers all of it, or no window opens before the jump's
// target (a period containing an instant in between would have contained
// the starting point too, or opened before the target).
func (v view) nextOpen(t time.Time) (time.Time, step, time.Time) {
	s, last := t, step{}
	limit := t.Add(horizon)
	for range maxJumps {
		if s.After(limit) {
			return time.Time{}, step{}, limit
		}
		if f, end := covering(v.freezes, s); f != nil {
			s, last = end, step{by: f, endFreeze: true}
			continue
		}
		if len(v.windows) > 0 {
			if w, _ := covering(v.windows, s); w == nil {
				w, n := earliest(v.windows, s)
				if w == nil {
					return time.Time{}, step{}, limit
				}
				s, last = n, step{by: w}
				continue
			}
		}
		return s, last, time.Time{}
	}
	return time.Time{}, step{}, s
}

// frozenUntil returns when the freezes covering t, one after another from
// end, the end of the first, all end, and whether it got there: after
// maxJumps it returns how far it got.
func (v view) frozenUntil(end time.Time) (time.Time, bool) {
	for range maxJumps {
		f, e := covering(v.freezes, end)
		if f == nil {
			return end, true
		}
		end = e
	}
	return end, false
}

// closes returns the first instant after t, an open instant, when releases
// close, and the rule that closes them: the window that ends or the freeze
// that starts. With no rule they stay open for ever (no window applies and
// no freeze comes) or, after maxCloseJumps, at least until the instant
// returned.
func (v view) closes(t time.Time) (time.Time, *rule) {
	if len(v.windows) == 0 {
		f, at := earliest(v.freezes, t)
		return at, f
	}
	s := t
	var last *rule
	for range maxCloseJumps {
		w, end := covering(v.windows, s)
		if w == nil {
			return s, last
		}
		last = w
		if f, at := earliest(v.freezes, s); f != nil && at.Before(end) {
			return at, f
		}
		s = end
		if f, _ := covering(v.freezes, s); f != nil {
			return s, f
		}
	}
	return s, nil
}
