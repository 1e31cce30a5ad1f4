package osv

import (
	"strings"
	"testing"
)

// TestVersionOrder pins the orderings the matcher relies on, per
// ecosystem, including the edges a string comparison gets wrong.
func TestVersionOrder(t *testing.T) {
	t.Parallel()
	tests := []struct {
		eco, a, b string
		want      int
	}{
		// npm: semver with pre-releases.
		{"npm", "1.9.0", "1.10.0", -1},
		{"npm", "4.17.15", "4.17.21", -1},
		{"npm", "1.0.0-alpha", "1.0.0", -1},
		{"npm", "1.0.0-alpha.2", "1.0.0-alpha.10", -1},
		{"npm", "1.0.0-alpha", "1.0.0-alpha.1", -1},
		{"npm", "1.0.0-alpha.beta", "1.0.0-beta", -1},
		{"npm", "1.0.0-beta.11", "1.0.0-rc.1", -1},
		{"npm", "1.0.0-rc.1", "1.0.0", -1},
		{"npm", "8.0.0-alpha.4", "8.0.0-alpha.10", -1},
		{"npm", "1.0.0+build.5", "1.0.0", 0},
		// Go: semver with a leading v, pseudo-versions and +incompatible.
		{"Go", "v0.17.0", "0.17.0", 0},
		{"Go", "v0.0.0-20220722155237-a158d28d115b", "0.17.0", -1},
		{"Go", "v0.0.0-20220722155237-a158d28d115b", "v0.0.0-20230101000000-000000000000", -1},
		{"Go", "v1.2.4-0.20230101000000-abcdef123456", "v1.2.4", -1},
		{"Go", "v1.2.3", "v1.2.4-0.20230101000000-abcdef123456", -1},
		{"Go", "v3.2.0+incompatible", "3.2.0", 0},
		{"Go", "v3.2.0+incompatible", "0.0.0-20150717181359-44718f8a89b0", 1},
		{"Go", "1.21.0-0", "1.21.0", -1},
		// PyPI: PEP 440.
		{"PyPI", "1.0", "1.0.0", 0},
		{"PyPI", "2.4.0", "2.31.0", -1},
		{"PyPI", "1.0.dev1", "1.0a1", -1},
		{"PyPI", "1.0a1", "1.0b1", -1},
		{"PyPI", "1.0b2", "1.0rc1", -1},
		{"PyPI", "1.0rc1", "1.0", -1},
		{"PyPI", "1.0", "1.0.post1", -1},
		{"PyPI", "1.0.post1", "1.1.dev0", -1},
		{"PyPI", "1!0.5", "2.0", 1},
		{"PyPI", "1.0", "1.0+local.1", -1},
		{"PyPI", "1.0.0-RC1", "1.0.0rc1", 0},
		{"PyPI", "4.2b4", "5.4", -1},
		// Maven: qualifiers.
		{"Maven", "2.0-beta8", "2.0-beta9", -1},
		{"Maven", "2.0-alpha1", "2.0-beta1", -1},
		{"Maven", "2.0-beta9", "2.0-rc1", -1},
		{"Maven", "2.0-rc1", "2.0", -1},
		{"Maven", "2.0-SNAPSHOT", "2.0", -1},
		{"Maven", "2.0", "2.0.0", 0},
		{"Maven", "2.0", "2.0-sp1", -1},
		{"Maven", "2.13.2", "2.13.2.1", -1},
		{"Maven", "2.9.10.8", "2.10.0", -1},
		{"Maven", "1.0.RELEASE", "1.0", 0},
	}
	for _, tt := range tests {
		got, err := compareVersions(tt.eco, tt.a, tt.b)
		if err != nil {
			t.Errorf("%s %s vs %s: %v", tt.eco, tt.a, tt.b, err)
			continue
		}
		if got != tt.want {
			t.Errorf("%s: compare(%s, %s) = %d, want %d", tt.eco, tt.a, tt.b, got, tt.want)
		}
		if back, _ := compareVersions(tt.eco, tt.b, tt.a); back != -tt.want {
			t.Errorf("%s: compare(%s, %s) = %d, want %d", tt.eco, tt.b, tt.a, back, -tt.want)
		}
	}
}

func TestUnsupportedEcosystem(t *testing.T) {
	t.Parallel()
	if _, err := compareVersions("Nonesuch", "1", "2"); err == nil {
		t.Error("an unknown ecosystem was ordered")
	}
	if _, err := parseVersion("", "npm", rangeEcosystem); err == nil {
		t.Error("an empty version was parsed")
	}
}

func TestPackageKey(t *testing.T) {
	t.Parallel()
	tests := []struct{ eco, name, want string }{
		{"PyPI", "PyYAML", "pyyaml"},
		{"PyPI", "Django", "django"},
		{"PyPI", "zope.interface", "zope-interface"},
		{"PyPI", "Foo__Bar-._baz", "foo-bar-baz"},
		{"PyPI", "_private", "-private"},
		{"npm", "JSONStream", "JSONStream"},
		{"npm", "@babel/traverse", "@babel/traverse"},
		{"Go", "github.com/BurntSushi/toml", "github.com/BurntSushi/toml"},
		{"Maven", "com.fasterxml.jackson.core:jackson-databind", "com.fasterxml.jackson.core:jackson-databind"},
		{"NuGet", "Newtonsoft.Json", "newtonsoft.json"},
		{"Debian:12", "OpenSSL", "OpenSSL"},
	}
	for _, tt := range tests {
		if got := packageKey(tt.eco, tt.name); got != tt.want {
			t.Errorf("packageKey(%s, %q) = %q, want %q", tt.eco, tt.name, got, tt.want)
		}
	}
}

// FuzzCompareVersions checks that each ecosystem's order is an order on
// arbitrary input: reflexive, antisymmetric and transitive, and that
// parsing never panics.
func FuzzCompareVersions(f *testing.F) {
	seeds := [][3]string{
		{"1.9.0", "1.10.0", "1.10.0-rc.1"},
		{"v0.0.0-20220722155237-a158d28d115b", "0.17.0", "v3.2.0+incompatible"},
		{"1!0.5", "1.0.post1", "1.0.dev1"},
		{"2.0-beta9", "2.0-SNAPSHOT", "2.0.RELEASE"},
		{"", "0", "*"},
	}
	for i, s := range seeds {
		f.Add(uint8(i), s[0], s[1], s[2])
	}
	ecosystems := []string{"npm", "Go", "PyPI", "Maven"}
	f.Fuzz(func(t *testing.T, which uint8, a, b, c string) {
		eco := ecosystems[int(which)%len(ecosystems)]
		va, errA := parseVersion(a, eco, rangeEcosystem)
		vb, errB := parseVersion(b, eco, rangeEcosystem)
		vc, errC := parseVersion(c, eco, rangeEcosystem)
		if errA != nil || errB != nil || errC != nil {
			return
		}
		if va.compare(va) != 0 {
			t.Fatalf("%s: %q is not equal to itself", eco, a)
		}
		if ab, ba := va.compare(vb), vb.compare(va); ab != -ba {
			t.Fatalf("%s: compare(%q, %q) = %d but compare(%q, %q) = %d", eco, a, b, ab, b, a, ba)
		}
		if va.compare(vb) <= 0 && vb.compare(vc) <= 0 && va.compare(vc) > 0 {
			t.Fatalf("%s: %q <= %q <= %q but %q > %q", eco, a, b, c, a, c)
		}
	})
}

func TestVersionTooLong(t *testing.T) {
	t.Parallel()
	long := "1." + strings.Repeat("9", maxVersionLen)
	if _, err := compareVersions("npm", long, "1.0.0"); err == nil {
		t.Error("a version longer than the limit was parsed")
	}
	a := Affected{Ecosystem: "npm", Ranges: []Range{{Type: rangeEcosystem, Events: []Event{{Introduced: "0"}}}}}
	if a.Affects(long) {
		t.Error("a version that cannot be ordered matched a range")
	}
}
