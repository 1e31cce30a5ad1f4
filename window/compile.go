package window

import (
	"fmt"
	"slices"
	"strings"
	"time"
	_ "time/tzdata" // time zones work on machines without a zoneinfo database

	"github.com/robfig/cron/v3"
	"github.com/runwayhq/runway"
)

// maxDuration bounds how long one cron period may stay open; longer
// closures are From/To periods.
const maxDuration = 31 * 24 * time.Hour

// cronFields names the five fields of a cron spec, in order, with what
// each accepts and the parser option that reads it alone.
var cronFields = []struct {
	name, takes string
	option      cron.ParseOption
}{
	{"minute", "0-59", cron.Minute},
	{"hour", "0-23", cron.Hour},
	{"day-of-month", "1-31", cron.Dom},
	{"month", "1-12 or JAN-DEC", cron.Month},
	{"day-of-week", "0-6 (Sunday is 0) or SUN-SAT", cron.Dow},
}

const writeFields = "write five fields: minute hour day-of-month month day-of-week"

var parser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// compile checks one spec; i is its position, for specs without a name.
func compile(i int, s Spec) (*rule, error) {
	if strings.TrimSpace(s.Name) == "" {
		return nil, runway.Errorf(runway.EINVALID,
			"%s number %d has no name: give every window and freeze a name, such as %q", s.kind(), i+1, "weekday mornings")
	}
	bad := func(format string, args ...any) error {
		return runway.Errorf(runway.EINVALID, "%s %q: %s", s.kind(), s.Name, fmt.Sprintf(format, args...))
	}
	loc, err := location(s.TimeZone)
	if err != nil {
		return nil, bad("%s", err)
	}
	r := &rule{spec: s, loc: loc}
	if err := r.schedule(); err != nil {
		return nil, bad("%s", err)
	}
	for _, t := range s.Tiers {
		if t < 1 || t > 3 {
			return nil, bad("tier %d does not exist: tiers are 1, 2 and 3", t)
		}
	}
	for _, e := range s.Environments {
		if !slices.Contains(runway.Environments, e) {
			return nil, bad("environment %q does not exist: use sandbox, staging or production", e)
		}
	}
	r.everything = len(s.Tiers) == 0 && len(s.Environments) == 0
	return r, nil
}

// location loads an IANA time zone; empty is UTC.
func location(name string) (*time.Location, error) {
	if name == "" {
		return time.UTC, nil
	}
	// "Local" is whatever the server's machine says: not a stable choice.
	if name != "Local" {
		if loc, err := time.LoadLocation(name); err == nil {
			return loc, nil
		}
	}
	return nil, fmt.Errorf("time zone %q is not known: write an IANA name such as %q or %q", name, "Europe/Berlin", "UTC")
}

// schedule checks the spec's schedule (a cron with a duration, or a
// From/To period) and fills in the rule's.
func (r *rule) schedule() error {
	s := r.spec
	period := !s.From.IsZero() || !s.To.IsZero()
	switch {
	case s.Cron != "" && period:
		return fmt.Errorf("it has both a cron schedule and a From/To period: keep only one")
	case s.Cron == "" && !period:
		return fmt.Errorf("it has no schedule: give a cron schedule with a duration, such as %q for 6h, or a From/To period", "0 9 * * 1-4")
	case period:
		return r.period()
	}
	sched, err := parseCron(s.Cron)
	if err != nil {
		return fmt.Errorf("cron %q: %s", s.Cron, err)
	}
	sched.Location = r.loc
	r.sched = sched
	switch {
	case s.Duration == 0:
		return fmt.Errorf("it has no duration: give how long each period lasts, such as 6h")
	case s.Duration < 0:
		return fmt.Errorf("its duration %s is negative: give how long each period lasts, such as 6h", s.Duration)
	case s.Duration >= maxDuration:
		return fmt.Errorf("its duration of %s is too long: a period that repeats must last less than 31 days; use a From/To period for longer ones", duration(s.Duration))
	}
	// A day that never comes (31 February) would leave the window closed
	// for ever; five years from a leap year cover every real date.
	if sched.Next(time.Date(2000, 1, 1, 0, 0, 0, 0, r.loc)).IsZero() {
		return fmt.Errorf("cron %q never happens: no month has that day; check the day-of-month and month fields", s.Cron)
	}
	return nil
}

// period checks a From/To period.
func (r *rule) period() error {
	s := r.spec
	switch {
	case s.From.IsZero() || s.To.IsZero():
		return fmt.Errorf("its period needs both From and To")
	case !s.To.After(s.From):
		return fmt.Errorf("its period ends (%s) before it starts (%s): check From and To",
			s.To.In(r.loc).Format(dayTime), s.From.In(r.loc).Format(dayTime))
	case s.Duration != 0:
		return fmt.Errorf("it has a From/To period and a duration: a duration goes only with a cron schedule; remove it")
	}
	r.from, r.to = s.From, s.To
	return nil
}

// parseCron parses a standard cron spec and, when it is not valid, says
// which field is wrong and what it accepts.
func parseCron(spec string) (*cron.SpecSchedule, error) {
	spec = strings.TrimSpace(spec)
	switch {
	case strings.HasPrefix(spec, "TZ=") || strings.HasPrefix(spec, "CRON_TZ="):
		return nil, fmt.Errorf("write the time zone in the time zone setting, not in the cron")
	case strings.HasPrefix(spec, "@every"):
		return nil, fmt.Errorf("@every counts from when the server started, not from the clock; %s", writeFields)
	}
	sched, err := parser.Parse(spec)
	if err == nil {
		if s, ok := sched.(*cron.SpecSchedule); ok {
			return s, nil
		}
		return nil, fmt.Errorf("this kind of schedule is not supported; %s", writeFields)
	}
	if strings.HasPrefix(spec, "@") {
		return nil, fmt.Errorf("%q is not known: use @hourly, @daily, @weekly, @monthly or @yearly, or %s", spec, writeFields)
	}
	fields := strings.Fields(spec)
	if len(fields) != len(cronFields) {
		return nil, fmt.Errorf("it has %d fields; %s", len(fields), writeFields)
	}
	for i, f := range fields {
		// A field alone never holds a time zone; robfig/cron would read
		// "TZ=" as one and fail on the missing space.
		if !strings.Contains(f, "=") {
			if _, err := cron.NewParser(cronFields[i].option).Parse(f); err == nil {
				continue
			}
		}
		return nil, fmt.Errorf("the %s field %q is not valid: it takes %s, with * for any, a-b for ranges, a,b for lists and /n for steps; %s",
			cronFields[i].name, f, cronFields[i].takes, writeFields)
	}
	return nil, fmt.Errorf("%v; %s", err, writeFields)
}
