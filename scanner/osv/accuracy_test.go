package osv

import (
	"slices"
	"strings"
	"testing"
)

// accuracyCase is one installed package and the advisories that truly
// affect it, labelled with the trap it sets.
type accuracyCase struct {
	kind      string // direct, transitive, nested, or decoy: ...
	ecosystem string
	name      string
	version   string
	want      []string
}

// accuracyCases are vulnerable dependencies (direct, transitive, nested
// duplicate versions) and decoys that a sloppy matcher reports or misses:
// fixed before the installed version, withdrawn, the same name in another
// ecosystem, versions that only a string comparison would match, limits,
// pre-releases, PEP 503 names.
var accuracyCases = []accuracyCase{
	{"direct", "npm", "axios", "1.6.0", []string{"GHSA-jr5f-v2jv-69x6"}},
	{"direct", "npm", "@babel/traverse", "8.0.0-alpha.3", []string{"GHSA-67hx-6x53-jw92"}},
	{"direct", "Go", "github.com/dgrijalva/jwt-go", "v3.2.0+incompatible", []string{"GO-2020-0017"}},
	{"direct", "PyPI", "Django", "4.1.5", []string{"GHSA-q2jv-r4v5-9qgm"}},
	{"direct", "PyPI", "PyYAML", "5.3.1", []string{"GHSA-8q59-q68h-6hv4"}},
	{"direct", "Maven", "org.apache.logging.log4j:log4j-core", "2.14.1", []string{"GHSA-jfh8-c2jp-5v3q"}},
	{"direct", "Maven", "org.apache.logging.log4j:log4j-core", "2.0-beta9", []string{"GHSA-jfh8-c2jp-5v3q"}},
	{"transitive", "npm", "minimist", "1.2.5", []string{"GHSA-xvch-5gv4-984h"}},
	{"transitive", "npm", "flatmap-stream", "0.1.1", []string{"MAL-2022-1"}},
	{"transitive", "Go", "golang.org/x/net", "v0.0.0-20220722155237-a158d28d115b", []string{"GO-2023-2102"}},
	{"transitive", "Maven", "com.fasterxml.jackson.core:jackson-databind", "2.13.2", []string{"GHSA-57j2-w4cx-62h2"}},
	{"transitive", "npm", "tar", "5.0.5", []string{"GHSA-r628-mhmh-qjhw"}},
	{"transitive", "PyPI", "lxml", "4.6.2", []string{"PYSEC-2021-19"}},
	{"nested", "npm", "lodash", "4.17.15", []string{"GHSA-29mw-wpgm-hmr9", "GHSA-35jh-r3h4-6jhm", "GHSA-p6mc-m468-83gw"}},
	{"nested", "npm", "lodash", "4.17.20", []string{"GHSA-29mw-wpgm-hmr9", "GHSA-35jh-r3h4-6jhm"}},
	{"nested", "npm", "lodash-es", "4.17.15", []string{"GHSA-p6mc-m468-83gw"}},
	{"string order misses it", "PyPI", "requests", "2.4.0", []string{"GHSA-j8r2-6x86-q33q"}},
	{"decoy: string order", "npm", "qs", "6.9.10", nil},
	{"decoy: fixed before installed", "npm", "lodash", "4.17.21", nil},
	{"decoy: fixed before installed", "npm", "minimist", "1.2.8", nil},
	{"decoy: fixed before installed", "Go", "golang.org/x/net", "v0.17.0", nil},
	{"decoy: fixed before installed", "PyPI", "PyYAML", "5.4", nil},
	{"decoy: fixed before installed", "PyPI", "lxml", "4.6.3", nil},
	{"decoy: withdrawn", "npm", "express", "4.17.1", nil},
	{"decoy: other ecosystem", "PyPI", "lodash", "4.17.15", nil},
	{"decoy: other ecosystem", "npm", "requests", "2.4.0", nil},
	{"decoy: other ecosystem", "Maven", "minimist", "1.2.5", nil},
	{"decoy: string order", "npm", "qs", "6.10.3", nil},
	{"decoy: string order", "npm", "@babel/traverse", "8.0.0-alpha.10", nil},
	{"decoy: before introduced", "Maven", "org.apache.logging.log4j:log4j-core", "2.0-beta8", nil},
	{"decoy: before introduced", "PyPI", "requests", "2.2.1", nil},
	{"decoy: past the limit", "npm", "tar", "6.1.2", nil},
	{"decoy: versions list", "npm", "flatmap-stream", "0.1.2", nil},
}

// TestAccuracy measures recall and false positives over the cases and
// requires both to be perfect. The naive matcher below shows that the
// decoys bite: a string comparison fails them.
func TestAccuracy(t *testing.T) {
	t.Parallel()
	db, err := Open(testDB(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var tp, fn, fp, naiveFP, naiveFN int
	for _, c := range accuracyCases {
		ms, err := db.Matches(c.ecosystem, c.name, c.version)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, m := range ms {
			got = append(got, m.Record.ID)
		}
		for _, id := range c.want {
			if slices.Contains(got, id) {
				tp++
			} else {
				fn++
				t.Errorf("%s: %s %s %s: missed %s", c.kind, c.ecosystem, c.name, c.version, id)
			}
		}
		for _, id := range got {
			if !slices.Contains(c.want, id) {
				fp++
				t.Errorf("%s: %s %s %s: false positive %s", c.kind, c.ecosystem, c.name, c.version, id)
			}
		}
		naive := naiveMatches(t, db, c)
		naiveFN += len(c.want) - countIn(naive, c.want)
		naiveFP += len(naive) - countIn(naive, c.want)
	}
	t.Logf("accuracy over %d packages: recall %d/%d = %.2f, false positives %d (a string-comparing matcher: %d missed, %d false positives)",
		len(accuracyCases), tp, tp+fn, float64(tp)/float64(tp+fn), fp, naiveFN, naiveFP)
	if naiveFP == 0 || naiveFN == 0 {
		t.Errorf("the decoys do not trap a string-comparing matcher (%d missed, %d false positives): they test nothing", naiveFN, naiveFP)
	}
}

func countIn(got, want []string) int {
	n := 0
	for _, id := range got {
		if slices.Contains(want, id) {
			n++
		}
	}
	return n
}

// naiveMatches is the matcher Runway must not be: ranges compared as
// strings, names compared exactly, withdrawn records not skipped.
func naiveMatches(t *testing.T, db *DB, c accuracyCase) []string {
	recs, err := db.Lookup(c.ecosystem, c.name)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range recs {
		for _, a := range r.Affected {
			if naiveAffects(a, c.version) {
				out = append(out, r.ID)
				break
			}
		}
	}
	return out
}

func naiveAffects(a Affected, v string) bool {
	if slices.Contains(a.Versions, v) {
		return true
	}
	for _, r := range a.Ranges {
		in := false
		for _, e := range r.Events {
			switch {
			case e.Introduced != "" && (e.Introduced == "0" || strings.Compare(v, e.Introduced) >= 0):
				in = true
			case e.Fixed != "" && strings.Compare(v, e.Fixed) >= 0:
				in = false
			}
		}
		if in {
			return true
		}
	}
	return false
}
