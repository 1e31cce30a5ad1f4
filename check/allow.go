package check

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/schema"
	"github.com/runwayhq/runway/yamlfile"
)

// AllowFile is the name of the accepted-findings file beside runway.yaml.
const AllowFile = "runway.allow.yaml"

// maxAllowDays bounds how far ahead an acceptance may expire: accepted
// risks are looked at again at least once a year.
const maxAllowDays = 366

// suppressible are the kinds of findings an owner may accept. Manifest,
// build, lint and test problems are fixed, not accepted; policy denies take
// an exception granted by someone else.
var suppressible = map[runway.FindingKind]bool{
	runway.KindSecret:        true,
	runway.KindVulnerability: true,
	runway.KindSAST:          true,
}

// allowEntry is one entry of runway.allow.yaml.
type allowEntry struct {
	ID      string `json:"id"`
	Reason  string `json:"reason"`
	Expires string `json:"expires"`
	Rule    string `json:"rule"`
	File    string `json:"file"`
	By      string `json:"by"`
	// line is where the entry starts, for messages.
	line int
	// last is the first day the entry no longer applies.
	last time.Time
}

var allowSchema = sync.OnceValues(func() (*yamlfile.Schema, error) {
	return yamlfile.CompileSchema("allow.schema.json", schema.Allow)
})

// loadAllow reads dir/runway.allow.yaml. A missing file is no entries; a
// file with problems returns them as findings and no entries, so nothing
// is accepted by a file the owner cannot have meant.
func loadAllow(dir string, now time.Time) ([]allowEntry, []runway.Finding, error) {
	doc, err := yamlfile.ReadFile(filepath.Join(dir, AllowFile), AllowFile, yamlfile.DefaultLimits)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, nil
	}
	var ye *yamlfile.Error
	if errors.As(err, &ye) {
		return nil, allowProblems(ye), nil
	}
	if err != nil {
		return nil, nil, err
	}
	return allowFromDocument(doc, now)
}

// allowFromDocument validates a parsed runway.allow.yaml and returns its
// entries, or its problems as findings.
func allowFromDocument(doc *yamlfile.Document, now time.Time) ([]allowEntry, []runway.Finding, error) {
	var ye *yamlfile.Error
	s, err := allowSchema()
	if err != nil {
		return nil, nil, err
	}
	if err := doc.Validate(s); errors.As(err, &ye) {
		return nil, allowProblems(ye), nil
	} else if err != nil {
		return nil, nil, err
	}
	var file struct {
		Allow []allowEntry `json:"allow"`
	}
	if err := doc.Decode(&file); err != nil {
		return nil, nil, err
	}
	var problems []yamlfile.Problem
	for i := range file.Allow {
		e := &file.Allow[i]
		ptr := fmt.Sprintf("/allow/%d/expires", i)
		e.line, _ = doc.Pos(fmt.Sprintf("/allow/%d", i))
		day, err := time.Parse(time.DateOnly, e.Expires)
		line, col := doc.Pos(ptr)
		switch {
		case err != nil:
			problems = append(problems, yamlfile.Problem{Line: line, Column: col, Path: yamlfile.DisplayPath(ptr),
				Message: fmt.Sprintf("`expires` is %q, which is not a date", e.Expires), Hint: "Write the last day it applies as YYYY-MM-DD, for example 2027-01-31."})
		case day.Sub(now) > maxAllowDays*24*time.Hour:
			problems = append(problems, yamlfile.Problem{Line: line, Column: col, Path: yamlfile.DisplayPath(ptr),
				Message: fmt.Sprintf("`expires` is %s, more than a year ahead", e.Expires), Hint: "Accept a finding for at most a year, then look at it again: choose an earlier date."})
		}
		e.last = day.AddDate(0, 0, 1)
	}
	if len(problems) > 0 {
		return nil, allowProblems(yamlfile.NewError(AllowFile, problems).(*yamlfile.Error)), nil
	}
	return file.Allow, nil, nil
}

func allowProblems(ye *yamlfile.Error) []runway.Finding {
	var out []runway.Finding
	for _, p := range ye.Problems {
		f := problemFinding(ye.File, p)
		f.Title = AllowFile + ": " + p.Message
		f.Rule = "allow-schema"
		out = append(out, f)
	}
	return out
}

// inlineAllow matches `runway:allow TOKEN -- reason` in any comment style.
var inlineAllow = regexp.MustCompile(`runway:allow\s+([A-Za-z0-9_./:-]+)(?:\s+--\s*(.*?))?\s*(?:\*/|-->)?\s*$`)

// suppress applies the owner's acceptances to findings: entries of
// runway.allow.yaml by finding ID, and inline comments on the finding's
// line or the line above naming its rule or kind. It returns the findings
// it adds to explain what was not applied.
func suppress(ws *runway.Workspace, entries []allowEntry, findings []runway.Finding, now time.Time) []runway.Finding {
	var notes []runway.Finding
	used := map[string]bool{}
	lines := &fileLines{dir: ws.Dir, cache: map[string][]string{}}
	for i := range findings {
		f := &findings[i]
		if !suppressible[f.Kind] {
			continue
		}
		if e, ok := findEntry(entries, f.ID); ok {
			used[e.ID] = true
			if now.Before(e.last) {
				accept(f, &runway.Suppression{Source: AllowFile, Reason: e.Reason, Expires: e.Expires})
				continue
			}
			notes = append(notes, note(f, "expired", fmt.Sprintf("The acceptance of this finding in %s (line %d) expired on %s", AllowFile, e.line, e.Expires),
				fmt.Sprintf("Fix the finding, or, if it is still acceptable, renew the entry in %s with a new expiry and reason.", AllowFile)))
		}
		if s, bad := lines.inline(f); s != nil {
			accept(f, s)
		} else if bad != "" {
			notes = append(notes, note(f, "no-reason", fmt.Sprintf("`runway:allow` at %s has no reason, so it is ignored", bad),
				"Write why the finding is acceptable after two dashes: `runway:allow "+f.Rule+" -- reason`."))
		}
	}
	for _, e := range entries {
		if !used[e.ID] {
			notes = append(notes, runway.Finding{
				ID: runway.FindingID("allow-unused", e.ID), Kind: runway.KindManifest, Severity: runway.SeverityInfo,
				Title: fmt.Sprintf("%s: entry %s matches no finding", AllowFile, e.ID), File: AllowFile, Line: e.line, Rule: "allow-unused",
				Message: "Nothing this check run found has this id: the problem is fixed, or the id is mistyped.",
				Fix:     "Remove the entry if the problem is fixed; otherwise copy the id again from `runway check --format json`.",
			})
		}
	}
	for i := range notes {
		notes[i].Check = manifestCheck
	}
	return notes
}

func findEntry(entries []allowEntry, id string) (allowEntry, bool) {
	for _, e := range entries {
		if e.ID == id {
			return e, true
		}
	}
	return allowEntry{}, false
}

func accept(f *runway.Finding, s *runway.Suppression) {
	f.Suppression = s
	f.Blocking = false
}

// note is a non-blocking finding explaining why an acceptance was not
// applied to f.
func note(f *runway.Finding, rule, title, fix string) runway.Finding {
	return runway.Finding{
		ID: runway.FindingID("allow-"+rule, f.ID), Kind: runway.KindManifest, Severity: runway.SeverityLow,
		Title: title, Message: fmt.Sprintf("It was meant for: %s", f.Title), File: f.File, Line: f.Line,
		Rule: "allow-" + rule, Fix: fix,
	}
}

// fileLines reads the app's files for inline acceptances, once each.
type fileLines struct {
	dir   string
	cache map[string][]string
}

// maxInlineScan bounds the size of a file searched for inline comments.
const maxInlineScan = 4 << 20

// inline returns the suppression an inline comment grants f, or, when a
// comment names f but gives no reason, where that comment is.
func (l *fileLines) inline(f *runway.Finding) (s *runway.Suppression, noReason string) {
	if f.File == "" || f.Line <= 0 || f.Commit != "" || !filepath.IsLocal(filepath.FromSlash(f.File)) {
		return nil, ""
	}
	lines := l.read(f.File)
	for _, n := range []int{f.Line, f.Line - 1} {
		if n < 1 || n > len(lines) {
			continue
		}
		m := inlineAllow.FindStringSubmatch(lines[n-1])
		if m == nil || (m[1] != f.Rule && m[1] != string(f.Kind)) {
			continue
		}
		where := fmt.Sprintf("%s:%d", f.File, n)
		if strings.TrimSpace(m[2]) == "" {
			return nil, where
		}
		return &runway.Suppression{Source: where, Reason: strings.TrimSpace(m[2])}, ""
	}
	return nil, ""
}

func (l *fileLines) read(rel string) []string {
	if lines, ok := l.cache[rel]; ok {
		return lines
	}
	var lines []string
	if f, err := os.Open(filepath.Join(l.dir, filepath.FromSlash(rel))); err == nil {
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 64<<10), maxInlineScan)
		for sc.Scan() {
			lines = append(lines, sc.Text())
		}
		f.Close()
	}
	l.cache[rel] = lines
	return lines
}
