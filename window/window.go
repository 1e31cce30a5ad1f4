// Package window decides when releases may happen: release windows that
// open on a cron schedule (or for one fixed period) and freezes that close
// releases whatever the windows say. It is a pure function over the
// compiled calendar: Check answers for one tier, one environment and one
// instant, with the next instant releases open and the reason in plain
// words.
//
// The rules, for a given tier and environment:
//
//   - Windows (specs that are not freezes) that apply restrict releases to
//     their open periods, [opening, opening+Duration). Overlapping periods,
//     of one window or of several, form one open stretch. When no window
//     applies, releases are open at any time.
//   - Freezes that apply close releases during their periods, whatever the
//     windows say.
//   - A nil or empty Calendar is always open.
//
// Cron specs are evaluated in the spec's time zone with
// github.com/robfig/cron/v3, which fixes what happens around daylight
// saving time changes:
//
//   - Spring forward: an opening at a local time that does not exist that
//     day (02:30 in Europe/Berlin on the last Sunday of March) is skipped;
//     the window does not open that day. Robfig/cron does not move it to
//     03:00 or 03:30.
//   - Fall back: an opening at a local time that happens twice (02:30 on the
//     last Sunday of October) opens twice, once per offset; the two periods
//     overlap or follow each other and count as one, so that window stays
//     open one hour longer that day.
//
// Duration is elapsed time: a 6-hour window that opens at midnight on the
// night the clocks spring forward closes at 07:00 local time. Openings are
// whole minutes. From/To periods are instants; the spec's time zone only
// sets how they are shown.
//
// Check looks 400 days ahead for the next open instant. It jumps from
// period to period, so a calendar of back-to-back periods a minute long
// would take many jumps; after a bound it answers with how far it looked
// ("frozen until at least ...") instead of making the caller wait.
//
// window imports only the root runway package.
package window

import (
	"time"

	"github.com/runwayhq/runway"
)

// Spec describes one release window or freeze, as written in the server's
// configuration.
type Spec struct {
	// Name identifies the window in messages: "weekday mornings".
	Name string
	// Cron is when a period opens, in 5 fields (minute hour day-of-month
	// month day-of-week, "0 9 * * 1-4") or a descriptor (@daily, @weekly,
	// @monthly, @yearly, @hourly). Give either Cron with Duration or
	// From/To.
	Cron string
	// Duration is how long a period stays open: more than zero, less than
	// 31 days.
	Duration time.Duration
	// From and To are one absolute period, [From, To), such as a year-end
	// freeze.
	From, To time.Time
	// TimeZone is the IANA name the cron is evaluated in and times are
	// shown in; empty means UTC.
	TimeZone string
	// Tiers the spec applies to; empty means every tier.
	Tiers []runway.Tier
	// Environments the spec applies to; empty means every environment.
	Environments []runway.Environment
	// Freeze makes the spec a freeze: releases are closed during it.
	Freeze bool
	// Reason says why, for a freeze: "year-end freeze".
	Reason string
}

// kind is how messages name the spec.
func (s Spec) kind() string {
	if s.Freeze {
		return "freeze"
	}
	return "window"
}

// Calendar is a compiled, valid set of windows and freezes. It is safe for
// concurrent use. A nil *Calendar is always open.
type Calendar struct {
	rules []*rule
}

// Compile checks specs and compiles them into a Calendar. It returns an
// EINVALID error naming the first spec with a problem and what to change.
func Compile(specs []Spec) (*Calendar, error) {
	c := &Calendar{}
	seen := map[string]bool{}
	for i, s := range specs {
		r, err := compile(i, s)
		if err != nil {
			return nil, err
		}
		if seen[s.Name] {
			return nil, runway.Errorf(runway.EINVALID,
				"two windows or freezes are named %q: give each its own name, so that messages can tell them apart", s.Name)
		}
		seen[s.Name] = true
		c.rules = append(c.rules, r)
	}
	return c, nil
}

// Status is what Check says about one release at one instant.
type Status struct {
	// Open is true when a release may happen now.
	Open bool
	// Why says in plain words why, and when releases open or close next.
	Why string
	// NextOpen is the earliest instant at or after the time asked about
	// when releases are open: inside an applicable window (if any) and
	// outside every applicable freeze. It is zero when Open, and zero when
	// no such instant exists within 400 days (Why then says so).
	NextOpen time.Time
	// Window is the name of the window or freeze that decided; empty when
	// none applies.
	Window string
}

// horizon is how far Check looks ahead for the next open instant.
const horizon = 400 * 24 * time.Hour

// freezeNotice is how far ahead an open Status mentions an upcoming freeze
// when no window applies.
const freezeNotice = 7 * 24 * time.Hour
