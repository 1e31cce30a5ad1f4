package window

import (
	"slices"
	"testing"
	"time"

	"github.com/robfig/cron/v3"
)

// TestCheckAgainstBruteForce compares Check with a slow, obvious model
// around every clock change of 2026 in zones with unusual ones, and around
// month and year ends: an opening
// is any whole minute whose local wall-clock time matches the cron fields
// (so a skipped local time never opens and a repeated one opens twice),
// a period lasts Duration of elapsed time, and the next open instant is the
// first boundary at or after t where the model is open.
func TestCheckAgainstBruteForce(t *testing.T) {
	t.Parallel()
	zones := []string{
		"Europe/Berlin",
		"America/New_York",
		"America/Havana",      // clocks change at midnight
		"America/Santiago",    // clocks change at midnight, southern hemisphere
		"Australia/Lord_Howe", // half-hour change
		"Africa/Casablanca",   // clocks change around Ramadan
		"UTC",
	}
	for _, zone := range zones {
		loc := mustZone(zone)
		specs := []Spec{
			{Name: "early", Cron: "30 2 * * *", Duration: time.Hour, TimeZone: zone},
			{Name: "midnight", Cron: "0 0 * * *", Duration: 90 * time.Minute, TimeZone: zone},
			{Name: "half past", Cron: "30 * * * 6", Duration: 20 * time.Minute, TimeZone: zone},
			{Name: "weekday", Cron: "0 9 * * 1-5", Duration: 8 * time.Hour, TimeZone: zone},
			{Name: "month end", Cron: "0 18 28-31 * *", Duration: 9 * time.Hour, TimeZone: zone},
			{Name: "sunday freeze", Freeze: true, Cron: "45 1 * * 0", Duration: 2 * time.Hour, TimeZone: zone},
			{Name: "short freeze", Freeze: true, Cron: "15 23 * * *", Duration: 30 * time.Minute, TimeZone: zone},
		}
		// Around every clock change, and around a short month's end and the
		// year's.
		moments := append(clockChanges(loc, 2026), time.Date(2026, 3, 1, 0, 0, 0, 0, loc), time.Date(2027, 1, 1, 0, 0, 0, 0, loc))
		for _, change := range moments {
			period := Spec{Name: "period", Freeze: true, TimeZone: zone,
				From: change.Add(-24*time.Hour + 17*time.Minute), To: change.Add(24*time.Hour - 3*time.Hour)}
			c, err := Compile(append(slices.Clone(specs), period))
			if err != nil {
				t.Fatal(err)
			}
			from, to := change.Add(-3*24*time.Hour), change.Add(3*24*time.Hour)
			m := newModel(t, c, from.Add(-48*time.Hour), to.Add(72*time.Hour))
			for at := from; at.Before(to); at = at.Add(7*time.Minute + 13*time.Second) {
				got := c.Check(2, "production", at)
				open, next := m.open(at), m.next(at)
				if got.Open != open || (!open && !got.NextOpen.Equal(next)) {
					t.Fatalf("%s, %v: Check says open %v, next open %v; the model says %v, %v\n%s",
						zone, at.In(loc), got.Open, got.NextOpen.In(loc), open, next.In(loc), got.Why)
				}
			}
		}
	}
}

// clockChanges returns the instants in year when loc's offset changes.
func clockChanges(loc *time.Location, year int) []time.Time {
	var out []time.Time
	t := time.Date(year, 1, 1, 0, 0, 0, 0, loc)
	_, offset := t.Zone()
	for end := t.AddDate(1, 0, 0); t.Before(end); t = t.Add(30 * time.Minute) {
		if _, o := t.Zone(); o != offset {
			out = append(out, t)
			offset = o
		}
	}
	return out
}

type interval struct{ start, end time.Time }

// model holds every period of every rule between two instants, found by
// looking at each minute's wall-clock time.
type model struct {
	windows, freezes []interval
	bounds           []time.Time
}

func newModel(t *testing.T, c *Calendar, from, to time.Time) *model {
	m := &model{}
	for _, r := range c.rules {
		if r.sched == nil {
			m.freezes = append(m.freezes, interval{r.from, r.to})
			m.bounds = append(m.bounds, r.from, r.to)
			continue
		}
		s := r.sched
		for u := from.Truncate(time.Minute); u.Before(to); u = u.Add(time.Minute) {
			if !matches(s, u.In(r.loc)) {
				continue
			}
			iv := interval{u, u.Add(r.spec.Duration)}
			if r.spec.Freeze {
				m.freezes = append(m.freezes, iv)
			} else {
				m.windows = append(m.windows, iv)
			}
			m.bounds = append(m.bounds, iv.start, iv.end)
		}
	}
	slices.SortFunc(m.bounds, func(a, b time.Time) int { return a.Compare(b) })
	if len(m.windows) == 0 {
		t.Fatal("the model found no window")
	}
	return m
}

// matches reports whether local, a whole minute, is an opening of s.
func matches(s *cron.SpecSchedule, local time.Time) bool {
	bit := func(field uint64, n int) bool { return field&(1<<uint(n)) != 0 }
	const star = 1 << 63
	dom, dow := bit(s.Dom, local.Day()), bit(s.Dow, int(local.Weekday()))
	day := dom || dow
	if s.Dom&star != 0 || s.Dow&star != 0 {
		day = dom && dow
	}
	return day && bit(s.Month, int(local.Month())) && bit(s.Hour, local.Hour()) && bit(s.Minute, local.Minute())
}

func in(ivs []interval, t time.Time) bool {
	for _, iv := range ivs {
		if !t.Before(iv.start) && t.Before(iv.end) {
			return true
		}
	}
	return false
}

func (m *model) open(t time.Time) bool { return in(m.windows, t) && !in(m.freezes, t) }

// next is the first instant at or after t when the model is open: t
// itself or a boundary, where openness changes.
func (m *model) next(t time.Time) time.Time {
	if m.open(t) {
		return t
	}
	for _, b := range m.bounds {
		if b.After(t) && m.open(b) {
			return b
		}
	}
	return time.Time{}
}
