package sbomdiff

import (
	"testing"

	"github.com/runwayhq/runway"
)

// FuzzVersions feeds the version comparison versions as lockfiles may
// write them. It must not panic, and its order must be consistent: what
// sorts a before b sorts b after a.
func FuzzVersions(f *testing.F) {
	for _, s := range [][3]string{
		{"npm", "1.2.3", "1.10.0"}, {"npm", "2.0.0-beta.2", "2.0.0"}, {"npm", "=v1.0.0", "github:u/r#x"},
		{"Go", "0.3.0", "0.14.0+incompatible"}, {"Go", "go1.22", "1.22.1"}, {"PyPI", "4.2", "4.10.0"}, {"Maven", "1.0.0.0", ""},
	} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, eco, a, b string) {
		key := identity{eco, "stdlib"}
		if x, y := order(key, a, b), order(key, b, a); x != -y || (x == 0) != (a == b) {
			t.Fatalf("order(%q, %q) = %d but order(%q, %q) = %d", a, b, x, b, a, y)
		}
		c, ok := compareVersions(key, a, b)
		if d, ok2 := compareVersions(key, b, a); ok != ok2 || c != -d {
			t.Fatalf("compareVersions disagrees with itself on %q and %q", a, b)
		}
		_ = line(key, a)
		u := upgrade(key, &runway.Component{Version: a}, &runway.Component{Version: b})
		_ = u.Verb()
	})
}
