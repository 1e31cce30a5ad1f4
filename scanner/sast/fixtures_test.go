package sast

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/runwaytest"
)

// fixtureLanguages are the folders under testdata/: the tree-sitter engine
// reads the first three, gosec reads go.
var fixtureLanguages = []string{"javascript", "typescript", "python", "go"}

// marker marks a line of a fixture:
//
//	expect: RULE      the rule must report here
//	known-miss: RULE  the rule should report here but cannot (a limit of
//	                  the engine, counted as missed)
//	known-fp: RULE    the code is safe but the rule reports it (counted as a
//	                  false positive)
//
// Known limits keep the accuracy table honest; when the engine improves,
// the test asks for the marker to change.
var marker = regexp.MustCompile(`(?://|#)\s*(expect|known-miss|known-fp):((?:\s+[\w/.-]+)+)`)

// place is a rule reported (or expected) on one line of one file.
type place struct {
	rule, file string
	line       int
}

// expectations reads the markers of every file under dir: the value is
// the marker's kind.
func expectations(t *testing.T, dir string) map[place]string {
	t.Helper()
	want := map[place]string{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		for line := 1; sc.Scan(); line++ {
			if m := marker.FindStringSubmatch(sc.Text()); m != nil {
				for _, rule := range strings.Fields(m[2]) {
					want[place{rule, filepath.ToSlash(rel), line}] = m[1]
				}
			}
		}
		return sc.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	return want
}

// scanFixtures runs the engine for lang over testdata/<lang>: gosec for
// go, the tree-sitter rules for the others.
func scanFixtures(t *testing.T, lang string) []runway.Finding {
	t.Helper()
	dir := filepath.Join("testdata", lang)
	files, err := listFiles(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if lang == "go" {
		res, err := scanGo(context.Background(), dir, files.goDirs, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.problems) > 0 {
			t.Errorf("gosec could not load every fixture: %q", res.problems)
		}
		return res.findings
	}
	fs, err := scanSources(context.Background(), dir, files.sources)
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

// score is how one rule did on the fixtures.
type score struct{ expected, found, missed, falsePositives int }

// TestAccuracy measures every rule on its fixtures: each `expect:` line
// must be reported (recall) and nothing else may be (false positives). It
// prints the table the issue asks for.
func TestAccuracy(t *testing.T) {
	scores := map[string]*score{}
	get := func(rule string) *score {
		if scores[rule] == nil {
			scores[rule] = &score{}
		}
		return scores[rule]
	}
	for _, lang := range fixtureLanguages {
		want := expectations(t, filepath.Join("testdata", lang))
		got := map[place]bool{}
		for _, f := range scanFixtures(t, lang) {
			p := place{f.Rule, f.File, f.Line}
			if got[p] {
				continue
			}
			got[p] = true
			where := fmt.Sprintf("%s:%d %s", path.Join(lang, f.File), f.Line, f.Rule)
			switch want[p] {
			case "expect":
			case "known-fp":
				get(f.Rule).falsePositives++
			case "known-miss":
				t.Errorf("%s: now found; change its marker to expect:", where)
			default:
				get(f.Rule).falsePositives++
				t.Errorf("false positive: %s: %s", where, f.Message)
			}
		}
		for p, kind := range want {
			where := fmt.Sprintf("%s:%d %s", path.Join(lang, p.file), p.line, p.rule)
			s := get(p.rule)
			switch {
			case kind == "known-fp" && !got[p]:
				t.Errorf("%s: no longer reported; remove its known-fp marker", where)
			case kind == "known-fp":
			case got[p]:
				s.expected++
				s.found++
			default:
				s.expected++
				s.missed++
				if kind == "expect" {
					t.Errorf("missed: %s", where)
				}
			}
		}
	}
	t.Log("\n" + accuracyTable(scores))
}

func accuracyTable(scores map[string]*score) string {
	var rules []string
	for r := range scores {
		rules = append(rules, r)
	}
	sort.Strings(rules)
	var b strings.Builder
	fmt.Fprintf(&b, "%-30s %8s %6s %6s %15s %7s\n", "rule", "expected", "found", "missed", "false_positives", "recall")
	var total score
	for _, r := range rules {
		s := scores[r]
		fmt.Fprintf(&b, "%-30s %8d %6d %6d %15d %6.0f%%\n", r, s.expected, s.found, s.missed, s.falsePositives, recall(*s))
		total.expected += s.expected
		total.found += s.found
		total.missed += s.missed
		total.falsePositives += s.falsePositives
	}
	fmt.Fprintf(&b, "%-30s %8d %6d %6d %15d %6.0f%%\n", "total", total.expected, total.found, total.missed, total.falsePositives, recall(total))
	return b.String()
}

func recall(s score) float64 {
	if s.expected == 0 {
		return 100
	}
	return 100 * float64(s.found) / float64(s.expected)
}

// TestEveryRuleHasFixtures keeps the fixtures complete: every rule has a
// folder per language family with at least one expected finding in a bad
// file and a good file.
func TestEveryRuleHasFixtures(t *testing.T) {
	want := map[string]bool{}
	for _, lang := range fixtureLanguages[:3] {
		for p, kind := range expectations(t, filepath.Join("testdata", lang)) {
			if kind == "expect" {
				want[p.rule] = true
			}
		}
	}
	f, err := builtin()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range f.Rules {
		if !want[r.ID] {
			t.Errorf("rule %s has no positive fixture (a line marked `expect: %s`)", r.ID, r.ID)
		}
		lang := "javascript"
		if strings.HasPrefix(r.ID, "py/") {
			lang = "python"
		}
		name := r.ID[strings.Index(r.ID, "/")+1:]
		good, _ := filepath.Glob(filepath.Join("testdata", lang, name, "good.*"))
		if len(good) == 0 {
			t.Errorf("rule %s has no negative fixture testdata/%s/%s/good.*", r.ID, lang, name)
		}
	}
}

// TestFindingsGolden pins the findings over every fixture: IDs, titles,
// messages and fixes are what people read.
func TestFindingsGolden(t *testing.T) {
	var all []runway.Finding
	for _, lang := range fixtureLanguages {
		for _, f := range scanFixtures(t, lang) {
			f.File = lang + "/" + f.File
			all = append(all, f)
		}
	}
	out, err := json.MarshalIndent(all, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	runwaytest.Golden(t, "testdata/findings.golden.json", append(out, '\n'))
}
