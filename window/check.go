package window

import (
	"fmt"
	"strings"
	"time"

	"github.com/runwayhq/runway"
)

// Check says whether a release of an app of the given tier to env may
// happen at t and, when it may not, when it next may. A nil or empty
// Calendar is always open.
func (c *Calendar) Check(tier runway.Tier, env runway.Environment, t time.Time) Status {
	t = t.Round(0) // compare wall-clock instants, not monotonic readings
	v := c.view(tier, env)
	who := subject(tiersOf(tier), envsOf(env))
	if f, end := covering(v.freezes, t); f != nil {
		return v.frozen(t, f, end, who)
	}
	if len(v.windows) == 0 {
		return v.openAnyTime(t, who)
	}
	if w, _ := covering(v.windows, t); w != nil {
		return v.openInWindow(t, w, who)
	}
	return v.outsideWindows(t, who)
}

// frozen is the Status at t inside freeze f, whose period ends at end.
func (v view) frozen(t time.Time, f *rule, end time.Time, who string) Status {
	if f.everything {
		who = "Releases"
	}
	var b strings.Builder
	until, exact := v.frozenUntil(end)
	if !exact {
		fmt.Fprintf(&b, "%s are frozen until at least %s: %s. Ask the platform team to check the release windows and freezes.",
			who, until.In(f.loc).Format(dayTime), reason(f))
		return Status{Why: b.String(), Window: f.spec.Name}
	}
	fmt.Fprintf(&b, "%s are frozen until %s: %s.", who, until.In(f.loc).Format(dayTime), reason(f))
	next, st, looked := v.nextOpen(t)
	switch {
	case next.IsZero():
		b.WriteString(" " + noneSentence(t, looked, f.loc))
	case !next.Equal(until):
		b.WriteString(" " + nextSentence(next, st))
	}
	return Status{Why: b.String(), NextOpen: next, Window: f.spec.Name}
}

// openAnyTime is the Status at t, outside freezes, when no window applies.
func (v view) openAnyTime(t time.Time, who string) Status {
	at, f := v.closes(t)
	if f == nil || at.Sub(t) > freezeNotice {
		return Status{Open: true, Why: who + " are open at any time: no release window applies."}
	}
	return Status{Open: true, Why: fmt.Sprintf(
		"%s are open: no release window applies, but the freeze %q starts on %s: %s.",
		who, f.spec.Name, at.In(f.loc).Format(atTime), reason(f))}
}

// openInWindow is the Status at t inside window w and outside freezes.
func (v view) openInWindow(t time.Time, w *rule, who string) Status {
	var why string
	at, by := v.closes(t)
	switch {
	case by == nil:
		why = fmt.Sprintf("%s are open: the window %q (%s) is open until at least %s.", who, w.spec.Name, w.spec.when(), at.In(w.loc).Format(atTime))
	case by.spec.Freeze:
		why = fmt.Sprintf("%s are open: the window %q (%s) is open, but the freeze %q starts on %s: %s.",
			who, w.spec.Name, w.spec.when(), by.spec.Name, at.In(by.loc).Format(atTime), reason(by))
	default:
		why = fmt.Sprintf("%s are open: the window %q (%s) is open until %s.", who, w.spec.Name, w.spec.when(), at.In(by.loc).Format(atTime))
	}
	return Status{Open: true, Why: why, Window: w.spec.Name}
}

// outsideWindows is the Status at t outside every applicable window and
// freeze.
func (v view) outsideWindows(t time.Time, who string) Status {
	var b strings.Builder
	if len(v.windows) == 1 {
		w := v.windows[0]
		fmt.Fprintf(&b, "%s happen in the window %q (%s).", who, w.spec.Name, w.spec.when())
	} else {
		names := make([]string, len(v.windows))
		for i, w := range v.windows {
			names[i] = fmt.Sprintf("%q", w.spec.Name)
		}
		fmt.Fprintf(&b, "%s happen only in the release windows %s.", who, joinAnd(names))
	}
	next, st, looked := v.nextOpen(t)
	decided := v.windows[0].spec.Name
	switch {
	case next.IsZero():
		b.WriteString(" " + noneSentence(t, looked, v.windows[0].loc))
	case !st.endFreeze && len(v.windows) == 1:
		fmt.Fprintf(&b, " The next one opens on %s.", next.In(st.by.loc).Format(atTime))
	case !st.endFreeze:
		fmt.Fprintf(&b, " The next one, %q, opens on %s.", st.by.spec.Name, next.In(st.by.loc).Format(atTime))
		decided = st.by.spec.Name
	default:
		b.WriteString(" " + nextSentence(next, st))
		if w, _ := covering(v.windows, next); w != nil {
			decided = w.spec.Name
		}
	}
	return Status{Why: b.String(), NextOpen: next, Window: decided}
}

// nextSentence says when the next release can happen and what opens it.
func nextSentence(next time.Time, st step) string {
	at := next.In(st.by.loc).Format(atTime)
	if st.endFreeze {
		return fmt.Sprintf("The next release can happen on %s, when the freeze %q ends.", at, st.by.spec.Name)
	}
	return fmt.Sprintf("The next release can happen on %s, when the window %q opens.", at, st.by.spec.Name)
}

// noneSentence says that no release can happen: within the horizon, or
// before looked when the search stopped short of it.
func noneSentence(t, looked time.Time, loc *time.Location) string {
	if looked.Before(t.Add(horizon)) {
		return fmt.Sprintf("No release can happen before %s at least: ask the platform team to check the release windows and freezes.", looked.In(loc).Format(atTime))
	}
	return "No release can happen in the next 400 days: ask the platform team to check the release windows and freezes."
}

// reason is a freeze's reason, or its name when it gives none.
func reason(f *rule) string {
	if r := strings.TrimRight(strings.TrimSpace(f.spec.Reason), "."); r != "" {
		return r
	}
	return fmt.Sprintf("the freeze %q", f.spec.Name)
}

func tiersOf(t runway.Tier) []runway.Tier {
	if t < 1 || t > 3 {
		return nil
	}
	return []runway.Tier{t}
}

func envsOf(e runway.Environment) []runway.Environment {
	if e == "" {
		return nil
	}
	return []runway.Environment{e}
}
