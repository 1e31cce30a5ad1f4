package sbomdiff

import (
	"cmp"
	"strconv"
	"strings"

	"golang.org/x/mod/semver"
)

// Versions are compared by one scheme per ecosystem: semver for Go
// (golang.org/x/mod/semver; inventories write versions without the "v")
// and npm, dotted numbers ("1.2.10") elsewhere, where real schemes (PEP
// 440, Maven) differ beyond them. Versions the scheme cannot read are
// "changed", in no known direction.

// canonical returns v in the ecosystem's scheme, and whether it fits: a
// semver string with its "v" for Go and npm, v itself when it is dotted
// numbers elsewhere.
func canonical(key identity, v string) (string, bool) {
	switch key.ecosystem {
	case "Go":
		if key.name == "stdlib" {
			v = strings.TrimPrefix(v, "go")
		}
		if !strings.HasPrefix(v, "v") {
			v = "v" + v
		}
		return v, semver.IsValid(v)
	case "npm":
		v = "v" + strings.TrimPrefix(strings.TrimPrefix(strings.TrimSpace(v), "="), "v")
		return v, semver.IsValid(v)
	}
	_, ok := numbers(v)
	return v, ok
}

// usesSemver reports whether the ecosystem's scheme is semver.
func usesSemver(key identity) bool { return key.ecosystem == "Go" || key.ecosystem == "npm" }

// compareCanonical compares two versions canonical accepted.
func compareCanonical(key identity, a, b string) int {
	if usesSemver(key) {
		return semver.Compare(a, b)
	}
	na, _ := numbers(a)
	nb, _ := numbers(b)
	for i := range max(len(na), len(nb)) {
		x, y := 0, 0
		if i < len(na) {
			x = na[i]
		}
		if i < len(nb) {
			y = nb[i]
		}
		if c := cmp.Compare(x, y); c != 0 {
			return c
		}
	}
	return 0
}

// compareVersions compares a and b, and reports whether they could be
// ordered: both fit the ecosystem's scheme and are not equal in it while
// written differently ("1.0" and "1.0.0", or builds "+a" and "+b").
func compareVersions(key identity, a, b string) (int, bool) {
	ca, okA := canonical(key, a)
	cb, okB := canonical(key, b)
	if !okA || !okB {
		return 0, false
	}
	c := compareCanonical(key, ca, cb)
	return c, c != 0 || a == b
}

// order is a total order on one identity's versions, for sorting: the
// versions the scheme reads, lowest first, then the others, as text.
func order(key identity, a, b string) int {
	ca, okA := canonical(key, a)
	cb, okB := canonical(key, b)
	switch {
	case okA && okB:
		return cmp.Or(compareCanonical(key, ca, cb), strings.Compare(a, b))
	case okA:
		return -1
	case okB:
		return 1
	}
	return strings.Compare(a, b)
}

// line is v's major version, the part whose change may break dependents:
// "1" for 1.4.2, "0.4" for 0.4.2; "" when the scheme cannot read v.
func line(key identity, v string) string {
	c, ok := canonical(key, v)
	switch {
	case !ok:
		return ""
	case usesSemver(key):
		if m := semver.Major(c); m != "v0" {
			return m
		}
		return semver.MajorMinor(c)
	}
	n, _ := numbers(c)
	if n[0] == 0 && len(n) > 1 {
		return "0." + strconv.Itoa(n[1])
	}
	return strconv.Itoa(n[0])
}

// numbers reads dotted numbers: "1.2.10" is [1 2 10].
func numbers(v string) ([]int, bool) {
	parts := strings.Split(v, ".")
	out := make([]int, len(parts))
	for i, p := range parts {
		if p == "" || len(p) > 9 || strings.Trim(p, "0123456789") != "" {
			return nil, false
		}
		out[i], _ = strconv.Atoi(p)
	}
	return out, true
}
