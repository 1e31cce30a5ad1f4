package osv

import (
	"slices"
	"sort"
	"strings"
)

// target is an installed version, parsed once per order it is compared in.
// Targets made from one another share a cache of parsed versions: matching
// one package parses the same event versions again and again (per
// advisory, per fix candidate), and parsing dominates the cost.
type target struct {
	ecosystem string
	raw       string
	cache     versionCache
	ranges    map[rangeKey]parsedRange
}

// rangeKey identifies a range by its events' backing array, which copies
// of the Range share.
type rangeKey struct {
	first *Event
	n     int
}

type parsedRange struct {
	events []event
	ok     bool
}

type versionKey struct{ raw, rangeType string }

type parsedVersion struct {
	v   version
	err error
}

// versionCache memoises parseVersion for one ecosystem.
type versionCache map[versionKey]parsedVersion

func newTarget(ecosystem, raw string) *target {
	return &target{ecosystem: ecosystem, raw: raw, cache: versionCache{}, ranges: map[rangeKey]parsedRange{}}
}

// sibling is another version of the same package, sharing the caches.
func (t *target) sibling(raw string) *target {
	return &target{ecosystem: t.ecosystem, raw: raw, cache: t.cache, ranges: t.ranges}
}

// parse parses a version of the target's ecosystem in a range type's order.
func (t *target) parse(raw, rangeType string) (version, error) {
	k := versionKey{raw, rangeType}
	if p, ok := t.cache[k]; ok {
		return p.v, p.err
	}
	v, err := parseVersion(raw, t.ecosystem, rangeType)
	t.cache[k] = parsedVersion{v, err}
	return v, err
}

// in returns the installed version in the order of a range type.
func (t *target) in(rangeType string) (version, error) {
	return t.parse(t.raw, rangeType)
}

// Affects reports whether the affected entry covers the installed version,
// as the OSV schema's evaluation algorithm says: the version is listed, or
// lies in a SEMVER or ECOSYSTEM range (introduced, fixed, last_affected and
// limit events, in the ecosystem's own order). A version or event that
// cannot be ordered makes its range not match.
func (a *Affected) Affects(installed string) bool {
	return a.affects(newTarget(a.Ecosystem, installed))
}

func (a *Affected) affects(t *target) bool {
	for _, r := range a.Ranges {
		if r.includes(t) {
			return true
		}
	}
	return a.listed(t)
}

// listed reports whether the versions list names the installed version.
// Like osv-scanner, it compares spellings (with or without a leading "v");
// when the entry has no ranges, the list is the only evidence, so versions
// spelled differently but equal in the ecosystem's order ("1.0" and "1.0.0"
// in PyPI) match too. With ranges, the list is their expansion and the
// ranges have already been compared in order.
func (a *Affected) listed(t *target) bool {
	bare := strings.TrimPrefix(t.raw, "v")
	for _, s := range a.Versions {
		if s == t.raw || strings.TrimPrefix(s, "v") == bare {
			return true
		}
	}
	if len(a.Ranges) > 0 {
		return false
	}
	tv, err := t.in(rangeEcosystem)
	if err != nil {
		return false
	}
	for _, s := range a.Versions {
		if v, err := t.parse(s, rangeEcosystem); err == nil && tv.compare(v) == 0 {
			return true
		}
	}
	return false
}

// event is a range event with its version parsed.
type event struct {
	Event
	v    version
	zero bool // introduced "0": before every version
}

func (e event) raw() string {
	return e.Introduced + e.Fixed + e.LastAffected + e.Limit
}

// includes is the OSV evaluation of one range.
func (r Range) includes(t *target) bool {
	if r.Type != rangeSemver && r.Type != rangeEcosystem {
		return false
	}
	tv, err := t.in(r.Type)
	if err != nil {
		return false
	}
	events, ok := r.parse(t)
	if !ok || !beforeLimits(tv, events) {
		return false
	}
	affected := false
	for _, e := range events {
		switch {
		case e.Introduced != "":
			if e.zero || tv.compare(e.v) >= 0 {
				affected = true
			}
		case e.Fixed != "":
			if tv.compare(e.v) >= 0 {
				affected = false
			}
		case e.LastAffected != "":
			if tv.compare(e.v) > 0 {
				affected = false
			}
		}
	}
	return affected
}

// beforeLimits is true without limit events ("*" is no limit), else when
// the version is below at least one limit.
func beforeLimits(tv version, events []event) bool {
	limited := false
	for _, e := range events {
		if e.Limit == "" {
			continue
		}
		if e.Limit == "*" {
			return true
		}
		limited = true
		if tv.compare(e.v) < 0 {
			return true
		}
	}
	return !limited
}

// parse parses and sorts the events, once per target family; ok is false
// when one cannot be ordered, which makes the whole range unusable.
func (r Range) parse(t *target) ([]event, bool) {
	if len(r.Events) == 0 {
		return nil, true
	}
	k := rangeKey{&r.Events[0], len(r.Events)}
	if p, ok := t.ranges[k]; ok {
		return p.events, p.ok
	}
	events, ok := r.parseEvents(t)
	t.ranges[k] = parsedRange{events, ok}
	return events, ok
}

func (r Range) parseEvents(t *target) ([]event, bool) {
	events := make([]event, 0, len(r.Events))
	for _, e := range r.Events {
		pe := event{Event: e}
		switch {
		case e.Introduced == "0":
			pe.zero = true
		case e.Limit == "*":
		case pe.raw() == "":
			continue
		default:
			v, err := t.parse(pe.raw(), r.Type)
			if err != nil {
				return nil, false
			}
			pe.v = v
		}
		events = append(events, pe)
	}
	sort.SliceStable(events, func(i, j int) bool { return eventLess(events[i], events[j]) })
	return events, true
}

// eventLess orders events by version: introduced "0" first, "*" limits
// last.
func eventLess(a, b event) bool {
	switch {
	case a.zero || b.zero:
		return a.zero && !b.zero
	case a.Limit == "*" || b.Limit == "*":
		return b.Limit == "*" && a.Limit != "*"
	}
	return a.v.compare(b.v) < 0
}

// fixes returns the versions newer than the installed one at which the
// entry's ranges stop affecting it, in order. They are the candidates for
// the smallest upgrade.
func (a *Affected) fixes(t *target) []version {
	var out []version
	for _, r := range a.Ranges {
		if r.Type != rangeSemver && r.Type != rangeEcosystem {
			continue
		}
		tv, err := t.in(r.Type)
		if err != nil {
			continue
		}
		for _, e := range r.Events {
			if e.Fixed == "" {
				continue
			}
			// Compare in the range's order; collect in the ecosystem's,
			// so candidates of SEMVER and ECOSYSTEM ranges sort together.
			rv, err := t.parse(e.Fixed, r.Type)
			if err != nil || tv.compare(rv) >= 0 {
				continue
			}
			if fv, err := t.parse(e.Fixed, rangeEcosystem); err == nil {
				out = append(out, fv)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].compare(out[j]) < 0 })
	return slices.CompactFunc(out, func(x, y version) bool { return x.compare(y) == 0 })
}
