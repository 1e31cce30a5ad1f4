package window

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/runwayhq/runway"
)

// Time formats of messages: "4 Jan 2027 00:00 UTC" for the end of a
// freeze, "Tue 1 Dec 2026 at 09:00 CET" for an opening.
const (
	dayTime = "2 Jan 2006 15:04 MST"
	atTime  = "Mon 2 Jan 2006 at 15:04 MST"
)

// Describe says in plain words what the spec does, for the UI: "Production
// releases of tier 3 apps may happen at 09:00 on Monday to Thursday,
// Europe/Berlin, for 6 hours." It works on specs Compile would refuse too,
// showing what it cannot put in words as written.
func (s Spec) Describe() string {
	who := subject(s.Tiers, s.Environments)
	if !s.Freeze {
		return who + " may happen " + s.when() + "."
	}
	d := who + " are frozen " + s.when()
	if r := strings.TrimRight(strings.TrimSpace(s.Reason), "."); r != "" {
		d += ": " + r
	}
	return d + "."
}

// when says when the spec's periods are: "at 09:00 on Monday to Thursday,
// Europe/Berlin, for 6 hours" or "from 20 Dec 2026 00:00 to 4 Jan 2027
// 00:00 UTC".
func (s Spec) when() string {
	zone := s.TimeZone
	if zone == "" {
		zone = "UTC"
	}
	if s.Cron != "" || (s.From.IsZero() && s.To.IsZero()) {
		return fmt.Sprintf("%s, %s, for %s", describeCron(s.Cron), zone, duration(s.Duration))
	}
	loc, err := location(s.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	from, to := s.From.In(loc), s.To.In(loc)
	if from.Format("MST") == to.Format("MST") {
		return fmt.Sprintf("from %s to %s", from.Format("2 Jan 2006 15:04"), to.Format(dayTime))
	}
	return fmt.Sprintf("from %s to %s", from.Format(dayTime), to.Format(dayTime))
}

// subject names the releases concerned: "Production releases of tier 3
// apps", "Releases of tier 2 and 3 apps", "Releases".
func subject(tiers []runway.Tier, envs []runway.Environment) string {
	s := "releases"
	if len(envs) > 0 {
		names := make([]string, len(envs))
		for i, e := range envs {
			names[i] = string(e)
		}
		s = joinAnd(names) + " releases"
	}
	if len(tiers) > 0 {
		ts := slices.Clone(tiers)
		slices.Sort(ts)
		names := make([]string, len(ts))
		for i, t := range ts {
			names[i] = strconv.Itoa(int(t))
		}
		s += " of tier " + joinAnd(slices.Compact(names)) + " apps"
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// descriptors says in words what each cron descriptor means.
var descriptors = map[string]string{
	"@yearly":   "at 00:00 on 1 January",
	"@annually": "at 00:00 on 1 January",
	"@monthly":  "at 00:00 on day 1 of the month",
	"@weekly":   "at 00:00 on Sunday",
	"@daily":    "at 00:00 every day",
	"@midnight": "at 00:00 every day",
	"@hourly":   "every hour on the hour",
}

// describeCron says when a cron spec opens: "at 09:00 on Monday to
// Thursday". What it cannot put in words it quotes.
func describeCron(spec string) string {
	spec = strings.TrimSpace(spec)
	if d, ok := descriptors[spec]; ok {
		return d
	}
	raw := fmt.Sprintf("on the cron schedule %q", spec)
	f := strings.Fields(spec)
	if len(f) != 5 {
		return raw
	}
	at, ok1 := describeTimes(f[0], f[1])
	days, ok2 := describeDays(f[2], f[4])
	months, ok3 := describeItems(f[3], 1, 12, monthNames)
	if !ok1 || !ok2 || !ok3 {
		return raw
	}
	d := at + " " + days
	if months != "" {
		d += " in " + months
	}
	return d
}

// describeTimes says at what times of day: "at 09:00 and 17:00", "every
// hour from 09:00 to 17:00", "every hour at minute 30".
func describeTimes(minute, hour string) (string, bool) {
	if minute == "*" && hour == "*" {
		return "every minute", true
	}
	ms, okM := numbers(minute, 0, 59, nil)
	if !okM {
		return "", false
	}
	if hs, ok := numbers(hour, 0, 23, nil); ok && len(ms)*len(hs) <= 6 {
		var times []string
		for _, h := range hs {
			for _, m := range ms {
				times = append(times, fmt.Sprintf("%02d:%02d", h, m))
			}
		}
		return "at " + joinAnd(times), true
	}
	if len(ms) != 1 {
		return "", false
	}
	if hour == "*" {
		return fmt.Sprintf("every hour at minute %d", ms[0]), true
	}
	if a, b, ok := strings.Cut(hour, "-"); ok {
		from, ok1 := number(a, 0, 23, nil)
		to, ok2 := number(b, 0, 23, nil)
		if ok1 && ok2 && from < to {
			return fmt.Sprintf("every hour from %02d:%02d to %02d:%02d", from, ms[0], to, ms[0]), true
		}
	}
	return "", false
}

// describeDays says on which days, with cron's rule that a day matches
// either field when both are restricted.
func describeDays(dom, dow string) (string, bool) {
	anyDom, anyDow := dom == "*" || dom == "?", dow == "*" || dow == "?"
	days, okDom := describeItems(dom, 1, 31, nil)
	weekdays, okDow := describeItems(dow, 0, 6, dayNames)
	switch {
	case !okDom || !okDow:
		return "", false
	case anyDom && anyDow:
		return "every day", true
	case anyDom:
		return "on " + weekdays, true
	}
	word := "day"
	if strings.ContainsAny(dom, ",-") {
		word = "days"
	}
	if anyDow {
		return fmt.Sprintf("on %s %s of the month", word, days), true
	}
	return fmt.Sprintf("on %s %s of the month or on %s", word, days, weekdays), true
}

var (
	dayNames   = []string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
	monthNames = []string{"", "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
)

// describeItems says a field of single values and ranges in words:
// "Monday to Thursday and Saturday", "1 and 15". A star is "" (any).
func describeItems(field string, lo, hi int, names []string) (string, bool) {
	if field == "*" || field == "?" {
		return "", true
	}
	word := func(n int) string {
		if names != nil {
			return names[n]
		}
		return strconv.Itoa(n)
	}
	var out []string
	for item := range strings.SplitSeq(field, ",") {
		a, b, isRange := strings.Cut(item, "-")
		from, ok := number(a, lo, hi, names)
		if !ok {
			return "", false
		}
		if !isRange {
			out = append(out, word(from))
			continue
		}
		to, ok := number(b, lo, hi, names)
		if !ok || to <= from {
			return "", false
		}
		out = append(out, word(from)+" to "+word(to))
	}
	return joinAnd(out), true
}

// numbers reads a comma-separated list of single values.
func numbers(field string, lo, hi int, names []string) ([]int, bool) {
	var out []int
	for item := range strings.SplitSeq(field, ",") {
		n, ok := number(item, lo, hi, names)
		if !ok {
			return nil, false
		}
		out = append(out, n)
	}
	slices.Sort(out)
	return slices.Compact(out), true
}

// number reads one value in [lo, hi], or a name's three first letters
// (MON, jan).
func number(s string, lo, hi int, names []string) (int, bool) {
	for i, name := range names {
		if len(name) >= 3 && strings.EqualFold(s, name[:3]) {
			return i, true
		}
	}
	n, err := strconv.Atoi(s)
	return n, err == nil && n >= lo && n <= hi
}

// duration says a duration in words: "6 hours", "2 days 16 hours".
func duration(d time.Duration) string {
	if d <= 0 || d%time.Second != 0 {
		return d.String()
	}
	var parts []string
	for _, u := range []struct {
		d    time.Duration
		name string
	}{{24 * time.Hour, "day"}, {time.Hour, "hour"}, {time.Minute, "minute"}, {time.Second, "second"}} {
		n := d / u.d
		d -= n * u.d
		switch {
		case n == 1:
			parts = append(parts, "1 "+u.name)
		case n > 1:
			parts = append(parts, fmt.Sprintf("%d %ss", n, u.name))
		}
	}
	return strings.Join(parts, " ")
}

// joinAnd joins words as a person lists them: "a", "a and b", "a, b and c".
func joinAnd(words []string) string {
	switch len(words) {
	case 0:
		return ""
	case 1:
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}
