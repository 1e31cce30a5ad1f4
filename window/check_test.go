package window

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/runwaytest"
)

var (
	berlin  = mustZone("Europe/Berlin")
	newYork = mustZone("America/New_York")
)

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// at is a wall-clock time in loc: at(berlin, "2026-12-01 09:00").
func at(loc *time.Location, s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		panic(err)
	}
	return t
}

// Specs the cases combine. 30 Nov 2026 is a Monday.
var (
	weekdayMornings = Spec{Name: "weekday mornings", Cron: "0 9 * * 1-4", Duration: 6 * time.Hour, TimeZone: "Europe/Berlin",
		Tiers: []runway.Tier{3}, Environments: []runway.Environment{runway.EnvProduction}}
	yearEnd = Spec{Name: "year-end", Freeze: true, Reason: "year-end freeze",
		From: at(time.UTC, "2026-12-20 00:00"), To: at(time.UTC, "2027-01-04 00:00")}
	// yearEndNoon ends at noon on a Monday, in the middle of the morning
	// window.
	yearEndNoon = Spec{Name: "year-end", Freeze: true, Reason: "year-end freeze", TimeZone: "Europe/Berlin",
		From: at(berlin, "2026-12-20 00:00"), To: at(berlin, "2027-01-04 12:00")}
	// standup freezes 08:00-10:00 on weekdays; the morning window opens
	// inside it and outlasts it.
	standup = Spec{Name: "standup", Freeze: true, Cron: "0 8 * * 1-5", Duration: 2 * time.Hour, TimeZone: "Europe/Berlin"}
	morning = Spec{Name: "morning", Cron: "0 9 * * *", Duration: 3 * time.Hour, TimeZone: "Europe/Berlin"}
	midday  = Spec{Name: "midday", Cron: "0 11 * * *", Duration: 4 * time.Hour, TimeZone: "Europe/Berlin"}
	night   = Spec{Name: "night shift", Cron: "0 22 * * *", Duration: 4 * time.Hour}
	// monthEnd opens on the 31st only and runs past midnight into the
	// next month.
	monthEnd = Spec{Name: "month end", Cron: "0 18 31 * *", Duration: 12 * time.Hour}
	// early opens at 02:30, a time Europe/Berlin skips on 29 March 2026
	// and has twice on 25 October 2026.
	early = Spec{Name: "early", Cron: "30 2 * * *", Duration: time.Hour, TimeZone: "Europe/Berlin"}
	// sundayMidnight spans the spring-forward change of 29 March 2026.
	sundayMidnight = Spec{Name: "sunday night", Cron: "0 0 * * 0", Duration: 6 * time.Hour, TimeZone: "Europe/Berlin"}
	in2028         = Spec{Name: "launch day", From: at(time.UTC, "2028-06-01 09:00"), To: at(time.UTC, "2028-06-01 17:00")}
	twoYearFreeze  = Spec{Name: "migration", Freeze: true, From: at(time.UTC, "2026-01-01 00:00"), To: at(time.UTC, "2028-01-01 00:00")}
	everyMinute    = Spec{Name: "every minute", Cron: "* * * * *", Duration: time.Minute}
	frozenMinutes  = Spec{Name: "minutes", Freeze: true, Cron: "* * * * *", Duration: time.Minute}
	lunch          = Spec{Name: "lunch", Freeze: true, Reason: "database migration", TimeZone: "Europe/Berlin",
		From: at(berlin, "2026-12-01 12:00"), To: at(berlin, "2026-12-01 14:00")}
	prodFreeze = Spec{Name: "audit", Freeze: true, Reason: "the annual audit.", Environments: []runway.Environment{runway.EnvProduction},
		From: at(time.UTC, "2026-12-03 00:00"), To: at(time.UTC, "2026-12-05 00:00")}
)

func TestCheck(t *testing.T) {
	t.Parallel()
	const prod, staging = runway.EnvProduction, runway.EnvStaging
	tests := []struct {
		name     string
		specs    []Spec // nil: a nil *Calendar
		tier     runway.Tier
		env      runway.Environment
		t        time.Time
		open     bool
		nextOpen time.Time
		window   string
	}{
		{name: "nil calendar is open", tier: 3, env: prod, t: at(time.UTC, "2026-12-25 03:00"), open: true},
		{name: "empty calendar is open", specs: []Spec{}, tier: 3, env: prod, t: at(time.UTC, "2026-12-25 03:00"), open: true},
		{name: "window for another tier does not apply", specs: []Spec{weekdayMornings}, tier: 1, env: prod,
			t: at(berlin, "2026-11-30 20:00"), open: true},
		{name: "window for another environment does not apply", specs: []Spec{weekdayMornings}, tier: 3, env: staging,
			t: at(berlin, "2026-11-30 20:00"), open: true},
		{name: "inside the window", specs: []Spec{weekdayMornings}, tier: 3, env: prod,
			t: at(berlin, "2026-12-01 10:00"), open: true, window: "weekday mornings"},
		{name: "the opening instant is open", specs: []Spec{weekdayMornings}, tier: 3, env: prod,
			t: at(berlin, "2026-12-01 09:00"), open: true, window: "weekday mornings"},
		{name: "the closing instant is closed", specs: []Spec{weekdayMornings}, tier: 3, env: prod,
			t: at(berlin, "2026-12-01 15:00"), nextOpen: at(berlin, "2026-12-02 09:00"), window: "weekday mornings"},
		{name: "one nanosecond before closing is open", specs: []Spec{weekdayMornings}, tier: 3, env: prod,
			t: at(berlin, "2026-12-01 15:00").Add(-1), open: true, window: "weekday mornings"},
		{name: "after the window: next morning", specs: []Spec{weekdayMornings}, tier: 3, env: prod,
			t: at(time.UTC, "2026-11-30 16:00"), nextOpen: at(berlin, "2026-12-01 09:00"), window: "weekday mornings"},
		{name: "Thursday evening: next Monday", specs: []Spec{weekdayMornings}, tier: 3, env: prod,
			t: at(berlin, "2026-12-03 16:00"), nextOpen: at(berlin, "2026-12-07 09:00"), window: "weekday mornings"},
		{name: "the zone of the time asked about does not matter", specs: []Spec{weekdayMornings}, tier: 3, env: prod,
			t: at(time.UTC, "2026-11-30 16:00").In(newYork), nextOpen: at(berlin, "2026-12-01 09:00"), window: "weekday mornings"},
		{name: "freeze closes releases without windows", specs: []Spec{yearEnd}, tier: 1, env: staging,
			t: at(time.UTC, "2026-12-25 12:00"), nextOpen: at(time.UTC, "2027-01-04 00:00"), window: "year-end"},
		{name: "freeze wins over a window, next open is the first window after it", specs: []Spec{weekdayMornings, yearEnd}, tier: 3, env: prod,
			t: at(time.UTC, "2026-12-25 09:00"), nextOpen: at(berlin, "2027-01-04 09:00"), window: "year-end"},
		{name: "freeze ends in the middle of a window", specs: []Spec{weekdayMornings, yearEndNoon}, tier: 3, env: prod,
			t: at(berlin, "2026-12-31 10:00"), nextOpen: at(berlin, "2027-01-04 12:00"), window: "year-end"},
		{name: "freeze ends in the middle of a window, asked during the window", specs: []Spec{weekdayMornings, yearEndNoon}, tier: 3, env: prod,
			t: at(berlin, "2027-01-04 10:30"), nextOpen: at(berlin, "2027-01-04 12:00"), window: "year-end"},
		{name: "freeze end is open", specs: []Spec{weekdayMornings, yearEndNoon}, tier: 3, env: prod,
			t: at(berlin, "2027-01-04 12:00"), open: true, window: "weekday mornings"},
		{name: "freeze starts before the window closes", specs: []Spec{weekdayMornings, lunch}, tier: 3, env: prod,
			t: at(berlin, "2026-12-01 10:00"), open: true, window: "weekday mornings"},
		{name: "window opens during a freeze and outlasts it", specs: []Spec{morning, standup}, tier: 2, env: prod,
			t: at(berlin, "2026-12-01 09:30"), nextOpen: at(berlin, "2026-12-01 10:00"), window: "standup"},
		{name: "before a window that opens during a freeze", specs: []Spec{morning, standup}, tier: 2, env: prod,
			t: at(berlin, "2026-12-01 07:00"), nextOpen: at(berlin, "2026-12-01 10:00"), window: "morning"},
		{name: "the freeze skips weekends", specs: []Spec{morning, standup}, tier: 2, env: prod,
			t: at(berlin, "2026-12-05 09:00"), open: true, window: "morning"},
		{name: "overlapping windows form one stretch", specs: []Spec{morning, midday}, tier: 2, env: prod,
			t: at(berlin, "2026-12-01 12:30"), open: true, window: "midday"},
		{name: "overlapping windows: open until the last closes", specs: []Spec{morning, midday}, tier: 2, env: prod,
			t: at(berlin, "2026-12-01 10:00"), open: true, window: "morning"},
		{name: "overlapping windows: after both", specs: []Spec{morning, midday}, tier: 2, env: prod,
			t: at(berlin, "2026-12-01 15:00"), nextOpen: at(berlin, "2026-12-02 09:00"), window: "morning"},
		{name: "window spanning midnight, after midnight", specs: []Spec{night}, tier: 2, env: prod,
			t: at(time.UTC, "2026-12-02 01:30"), open: true, window: "night shift"},
		{name: "window spanning midnight, after it", specs: []Spec{night}, tier: 2, env: prod,
			t: at(time.UTC, "2026-12-02 02:00"), nextOpen: at(time.UTC, "2026-12-02 22:00"), window: "night shift"},
		{name: "window spanning a month end, in the new month", specs: []Spec{monthEnd}, tier: 2, env: prod,
			t: at(time.UTC, "2027-02-01 05:59"), open: true, window: "month end"},
		{name: "window on the 31st skips short months", specs: []Spec{monthEnd}, tier: 2, env: prod,
			t: at(time.UTC, "2027-02-01 06:00"), nextOpen: at(time.UTC, "2027-03-31 18:00"), window: "month end"},
		{name: "spring forward: 02:30 does not exist, the window skips the day", specs: []Spec{early}, tier: 2, env: prod,
			t: at(time.UTC, "2026-03-29 00:00"), nextOpen: at(berlin, "2026-03-30 02:30"), window: "early"},
		{name: "spring forward: the day before opens as usual", specs: []Spec{early}, tier: 2, env: prod,
			t: at(berlin, "2026-03-28 02:45"), open: true, window: "early"},
		{name: "fall back: 02:30 summer time opens", specs: []Spec{early}, tier: 2, env: prod,
			t: time.Date(2026, 10, 25, 0, 45, 0, 0, time.UTC), open: true, window: "early"},
		{name: "fall back: 02:30 winter time opens again", specs: []Spec{early}, tier: 2, env: prod,
			t: time.Date(2026, 10, 25, 2, 15, 0, 0, time.UTC), open: true, window: "early"},
		{name: "fall back: closed after the second 03:30", specs: []Spec{early}, tier: 2, env: prod,
			t: time.Date(2026, 10, 25, 2, 30, 0, 0, time.UTC), nextOpen: at(berlin, "2026-10-26 02:30"), window: "early"},
		{name: "a window lasts its duration across a clock change", specs: []Spec{sundayMidnight}, tier: 2, env: prod,
			t: at(berlin, "2026-03-29 06:30"), open: true, window: "sunday night"},
		{name: "a window lasts its duration across a clock change, then closes", specs: []Spec{sundayMidnight}, tier: 2, env: prod,
			t: at(berlin, "2026-03-29 07:00"), nextOpen: at(berlin, "2026-04-05 00:00"), window: "sunday night"},
		{name: "no window within 400 days", specs: []Spec{in2028}, tier: 2, env: prod,
			t: at(time.UTC, "2026-12-01 00:00"), window: "launch day"},
		{name: "a period window", specs: []Spec{in2028}, tier: 2, env: prod,
			t: at(time.UTC, "2028-06-01 12:00"), open: true, window: "launch day"},
		{name: "frozen for more than 400 days", specs: []Spec{twoYearFreeze}, tier: 2, env: prod,
			t: at(time.UTC, "2026-06-01 00:00"), window: "migration"},
		{name: "frozen for less than 400 days", specs: []Spec{twoYearFreeze}, tier: 2, env: prod,
			t: at(time.UTC, "2026-12-01 00:00"), nextOpen: at(time.UTC, "2028-01-01 00:00"), window: "migration"},
		{name: "window after a freeze more than 400 days away", specs: []Spec{twoYearFreeze, in2028}, tier: 2, env: prod,
			t: at(time.UTC, "2027-01-01 00:00"), window: "migration"},
		{name: "freeze for production only: staging is open", specs: []Spec{prodFreeze}, tier: 2, env: staging,
			t: at(time.UTC, "2026-12-04 00:00"), open: true},
		{name: "freeze for production only: production is frozen", specs: []Spec{prodFreeze}, tier: 2, env: prod,
			t: at(time.UTC, "2026-12-04 00:00"), nextOpen: at(time.UTC, "2026-12-05 00:00"), window: "audit"},
		{name: "open, with a freeze coming within a week", specs: []Spec{prodFreeze}, tier: 2, env: prod,
			t: at(time.UTC, "2026-12-01 00:00"), open: true},
		{name: "back-to-back minute windows: open, the search for the close stops", specs: []Spec{everyMinute}, tier: 2, env: prod,
			t: at(time.UTC, "2026-12-01 00:00"), open: true, window: "every minute"},
		{name: "back-to-back minute freezes: the search stops", specs: []Spec{everyMinute, frozenMinutes}, tier: 2, env: prod,
			t: at(time.UTC, "2026-12-01 00:00"), window: "minutes"},
		{name: "several windows: the next one", specs: []Spec{night, morning}, tier: 2, env: prod,
			t: at(berlin, "2026-12-01 18:00"), nextOpen: at(time.UTC, "2026-12-01 22:00"), window: "night shift"},
	}
	var golden strings.Builder
	for _, tt := range tests {
		var c *Calendar
		if tt.specs != nil {
			var err error
			if c, err = Compile(tt.specs); err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
		}
		got := c.Check(tt.tier, tt.env, tt.t)
		fmt.Fprintf(&golden, "%s\n  %s\n", tt.name, got.Why)
		if got.Open != tt.open || !got.NextOpen.Equal(tt.nextOpen) || got.Window != tt.window {
			t.Errorf("%s: got open %v, next open %v, window %q; want %v, %v, %q\n%s",
				tt.name, got.Open, got.NextOpen, got.Window, tt.open, tt.nextOpen, tt.window, got.Why)
		}
		if got.Why == "" {
			t.Errorf("%s: no reason given", tt.name)
		}
	}
	runwaytest.Golden(t, "testdata/check.golden", []byte(golden.String()))
}

// The two messages the UI shows most, word for word.
func TestCheckMessages(t *testing.T) {
	t.Parallel()
	c, err := Compile([]Spec{weekdayMornings, yearEnd})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		t    time.Time
		want string
	}{
		{at(time.UTC, "2026-11-30 16:00"), `Production releases of tier 3 apps happen in the window "weekday mornings" (at 09:00 on Monday to Thursday, Europe/Berlin, for 6 hours). The next one opens on Tue 1 Dec 2026 at 09:00 CET.`},
		{at(time.UTC, "2026-12-25 09:00"), `Releases are frozen until 4 Jan 2027 00:00 UTC: year-end freeze. The next release can happen on Mon 4 Jan 2027 at 09:00 CET, when the window "weekday mornings" opens.`},
	} {
		if got := c.Check(3, runway.EnvProduction, tt.t).Why; got != tt.want {
			t.Errorf("Check at %v:\n got %s\nwant %s", tt.t, got, tt.want)
		}
	}
}
