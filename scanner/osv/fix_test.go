package osv

import (
	"bytes"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/runwaytest"
)

// TestFixTexts covers the fix of every package manager, for a direct and
// a transitive dependency, with and without a published fix.
func TestFixTexts(t *testing.T) {
	t.Parallel()
	direct := func(eco, name, version, source string) runway.Component {
		return runway.Component{Ecosystem: eco, Name: name, Version: version, Direct: true, Source: source}
	}
	via := func(c runway.Component, parents ...string) runway.Component {
		c.Direct, c.IntroducedBy = false, parents
		return c
	}
	dev := func(c runway.Component) runway.Component { c.Dev = true; return c }
	all := upgrade{to: "4.17.21", fixes: 2, total: 2}
	some := upgrade{to: "4.17.21", fixes: 2, total: 3, unfixed: []string{"GHSA-aaaa-bbbb-cccc"}}
	none := upgrade{total: 1, unfixed: []string{"MAL-2022-1"}}
	cases := []struct {
		c runway.Component
		u upgrade
	}{
		{direct("npm", "lodash", "4.17.15", "package-lock.json"), all},
		{dev(direct("npm", "lodash", "4.17.15", "package-lock.json")), all},
		{via(direct("npm", "lodash", "4.17.15", "package-lock.json"), "grunt"), some},
		{direct("npm", "lodash", "4.17.15", "yarn.lock"), all},
		{via(direct("npm", "lodash", "4.17.15", "web/yarn.lock"), "grunt"), all},
		{dev(direct("npm", "lodash", "4.17.15", "pnpm-lock.yaml")), all},
		{via(direct("npm", "lodash", "4.17.15", "pnpm-lock.yaml"), "a", "b", "c", "d"), all},
		{via(direct("npm", "flatmap-stream", "0.1.1", "package-lock.json"), "event-stream"), none},
		{direct("npm", "left-pad", "1.0.0", "package-lock.json"), none},
		{direct("Go", "golang.org/x/net", "0.7.0", "go.mod"), upgrade{to: "0.17.0", fixes: 1, total: 1}},
		{via(direct("Go", "golang.org/x/text", "v0.3.0", "go.mod"), "golang.org/x/net"), upgrade{to: "0.3.8", fixes: 1, total: 1}},
		{direct("Go", "stdlib", "1.21.1", "go.mod"), upgrade{to: "1.21.3", fixes: 1, total: 1}},
		{direct("PyPI", "PyYAML", "5.3.1", "requirements.txt"), upgrade{to: "5.4", fixes: 1, total: 1}},
		{via(direct("PyPI", "urllib3", "1.26.4", "requirements/prod.txt"), "requests"), upgrade{to: "1.26.17", fixes: 1, total: 1}},
		{direct("PyPI", "Django", "4.1.5", "poetry.lock"), upgrade{to: "4.1.6", fixes: 1, total: 1}},
		{direct("PyPI", "Django", "4.1.5", "uv.lock"), upgrade{to: "4.1.6", fixes: 1, total: 1}},
		{via(direct("PyPI", "urllib3", "1.26.4", "Pipfile.lock"), "requests"), upgrade{to: "1.26.17", fixes: 1, total: 1}},
		{direct("Maven", "org.apache.logging.log4j:log4j-core", "2.14.1", "pom.xml"), upgrade{to: "2.15.0", fixes: 1, total: 1}},
		{via(direct("Maven", "com.fasterxml.jackson.core:jackson-databind", "2.13.2", "pom.xml"), "org.springframework.boot:spring-boot-starter-json"), upgrade{to: "2.13.2.1", fixes: 1, total: 1}},
		{direct("Maven", "org.apache.logging.log4j:log4j-core", "2.14.1", "gradle.lockfile"), upgrade{to: "2.15.0", fixes: 1, total: 1}},
		{via(direct("Maven", "com.fasterxml.jackson.core:jackson-databind", "2.13.2", "build.gradle.kts"), "spring-boot"), upgrade{to: "2.13.2.1", fixes: 1, total: 1}},
		{direct("crates.io", "smallvec", "1.6.0", "Cargo.lock"), upgrade{to: "1.6.1", fixes: 1, total: 1}},
	}
	var b bytes.Buffer
	for _, tc := range cases {
		c := tc.c
		fmt.Fprintf(&b, "%s %s %s (%s, direct=%v dev=%v via %v):\n  %s\n\n", c.Ecosystem, c.Name, c.Version, c.Source, c.Direct, c.Dev, c.IntroducedBy, fixText(c, tc.u))
	}
	runwaytest.Golden(t, filepath.Join("testdata", "golden", "fixes.golden"), b.Bytes())
}
