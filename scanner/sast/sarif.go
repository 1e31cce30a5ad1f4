package sast

import (
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"
	"github.com/runwayhq/runway"
)

// DefaultMaxSARIFBytes bounds a SARIF file when Options sets no limit.
const DefaultMaxSARIFBytes = 32 << 20

// ReadSARIF reads a SARIF 2.1.0 log written by another tool (Semgrep,
// CodeQL, ESLint's SARIF formatter...) and returns its results as
// findings. Rule IDs are prefixed with the tool's name ("semgrep/..."),
// levels become severities and locations inside root (the app's folder)
// become relative paths.
//
// A missing, unreadable, oversized or malformed file is an EINVALID
// *runway.Error that says what to do.
func ReadSARIF(path, root string, maxBytes int64) ([]runway.Finding, error) {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxSARIFBytes
	}
	name := filepath.Base(path)
	f, err := os.Open(path)
	if err != nil {
		return nil, &runway.Error{Code: runway.EINVALID, Message: fmt.Sprintf("cannot open the SARIF file %s; check the path given to --sarif", path), Err: err}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxBytes+1))
	if err != nil {
		return nil, &runway.Error{Code: runway.EINVALID, Message: fmt.Sprintf("cannot read the SARIF file %s", path), Err: err}
	}
	if int64(len(data)) > maxBytes {
		return nil, runway.Errorf(runway.EINVALID, "the SARIF file %s is larger than %s, the most Runway reads; run the tool on fewer folders or with fewer rules, or split its output", name, byteSize(maxBytes))
	}
	return parseSARIF(data, name, root)
}

// parseSARIF turns a SARIF log into findings; name is the file's name for
// messages.
func parseSARIF(data []byte, name, root string) ([]runway.Finding, error) {
	log, err := sarif.FromBytes(data)
	if err != nil {
		return nil, &runway.Error{Code: runway.EINVALID, Message: fmt.Sprintf("%s is not valid SARIF (it must be a SARIF 2.1.0 JSON file)", name), Err: err}
	}
	if log.Version != "2.1.0" {
		return nil, runway.Errorf(runway.EINVALID, "%s is SARIF version %q; Runway reads SARIF 2.1.0, which Semgrep, CodeQL and ESLint write", name, truncate(log.Version, 20))
	}
	var out []runway.Finding
	ids := occurrences{}
	for _, run := range log.Runs {
		if run == nil {
			continue
		}
		r := newSARIFRun(run)
		for _, res := range run.Results {
			if f, ok := r.finding(res, root, ids); ok {
				out = append(out, f)
			}
		}
	}
	return out, nil
}

// sarifRun holds what the results of one run share: the tool and its
// rules.
type sarifRun struct {
	tool  string
	rules map[string]*sarif.ReportingDescriptor
	list  []*sarif.ReportingDescriptor
}

func newSARIFRun(run *sarif.Run) *sarifRun {
	r := &sarifRun{tool: "sarif", rules: map[string]*sarif.ReportingDescriptor{}}
	if run.Tool == nil {
		return r
	}
	if d := run.Tool.Driver; d != nil {
		if d.Name != nil {
			r.tool = toolSlug(*d.Name)
		}
		r.list = d.Rules
	}
	components := append([]*sarif.ToolComponent{run.Tool.Driver}, run.Tool.Extensions...)
	for _, c := range components {
		if c == nil {
			continue
		}
		for _, rd := range c.Rules {
			if rd != nil && rd.ID != nil {
				r.rules[*rd.ID] = rd
			}
		}
	}
	return r
}

var nonSlug = regexp.MustCompile(`[^a-z0-9]+`)

// toolSlug turns "Semgrep OSS" into "semgrep" and "CodeQL" into "codeql".
func toolSlug(name string) string {
	fields := strings.Fields(strings.ToLower(name))
	if len(fields) == 0 {
		return "sarif"
	}
	s := strings.Trim(nonSlug.ReplaceAllString(fields[0], "-"), "-")
	if s == "" {
		return "sarif"
	}
	return truncate(s, 30)
}

// finding converts one result; suppressed and passing results are left out.
func (r *sarifRun) finding(res *sarif.Result, root string, ids occurrences) (runway.Finding, bool) {
	if res == nil || suppressed(res) || (res.Kind != "" && res.Kind != "fail" && res.Kind != "open" && res.Kind != "review") {
		return runway.Finding{}, false
	}
	ruleID, rd := r.rule(res)
	file, line, col, snippet := location(res, root)
	msg := r.message(res, rd)
	rule := r.tool + "/" + truncate(ruleID, 120)
	fp := fingerprint(res)
	if fp == "" {
		fp = redactTokens(snippet)
	}
	if fp == "" {
		fp = msg
	}
	return runway.Finding{
		ID:       ids.id(rule, file, fp),
		Check:    checkName,
		Kind:     runway.KindSAST,
		Severity: severity(res, rd),
		Title:    r.title(ruleID, rd, msg),
		Message:  msg,
		File:     file,
		Line:     line,
		Column:   col,
		Rule:     rule,
		Fix:      r.fix(ruleID, rd),
	}, true
}

// rule finds the result's rule id and descriptor.
func (r *sarifRun) rule(res *sarif.Result) (string, *sarif.ReportingDescriptor) {
	id := ""
	switch {
	case res.RuleID != nil:
		id = *res.RuleID
	case res.Rule != nil && res.Rule.ID != nil:
		id = *res.Rule.ID
	}
	if rd, ok := r.rules[id]; ok {
		return id, rd
	}
	if id == "" && res.RuleIndex >= 0 && res.RuleIndex < len(r.list) && r.list[res.RuleIndex] != nil {
		rd := r.list[res.RuleIndex]
		if rd.ID != nil {
			return *rd.ID, rd
		}
	}
	if id == "" {
		id = "unknown-rule"
	}
	return id, nil
}

// suppressed reports results the tool itself marked as accepted.
func suppressed(res *sarif.Result) bool {
	for _, s := range res.Suppressions {
		if s != nil && (s.Status == nil || *s.Status == "accepted") {
			return true
		}
	}
	return false
}

// location returns the first location's file, line, column and snippet.
func location(res *sarif.Result, root string) (file string, line, col int, snippet string) {
	for _, l := range res.Locations {
		if l == nil || l.PhysicalLocation == nil {
			continue
		}
		pl := l.PhysicalLocation
		if pl.ArtifactLocation != nil && pl.ArtifactLocation.URI != nil {
			file = sarifPath(*pl.ArtifactLocation.URI, root)
		}
		if rg := pl.Region; rg != nil {
			line, col = deref(rg.StartLine), deref(rg.StartColumn)
			if rg.Snippet != nil && rg.Snippet.Text != nil {
				snippet = strings.Join(strings.Fields(*rg.Snippet.Text), " ")
			}
		}
		return file, max(line, 0), max(col, 0), snippet
	}
	return "", 0, 0, ""
}

// sarifPath turns a location URI into a path relative to root, with
// forward slashes.
func sarifPath(uri, root string) string {
	p := uri
	if u, err := url.Parse(uri); err == nil && (u.Scheme == "file" || u.Scheme == "") {
		p = u.Path
		if u.Scheme == "" {
			if unescaped, err := url.PathUnescape(uri); err == nil {
				p = unescaped
			}
		}
	}
	p = filepath.ToSlash(filepath.Clean(filepath.FromSlash(p)))
	if filepath.IsAbs(filepath.FromSlash(p)) && root != "" {
		return relPath(root, filepath.FromSlash(p))
	}
	return truncate(strings.TrimPrefix(p, "./"), 512)
}

// fingerprint picks the tool's own stable identity for the result.
func fingerprint(res *sarif.Result) string {
	for _, m := range []map[string]string{res.PartialFingerprints, res.Fingerprints} {
		for _, k := range []string{"primaryLocationLineHash", "matchBasedId/v1", "0"} {
			if v, ok := m[k]; ok && v != "" {
				return k + "=" + v
			}
		}
	}
	return ""
}

func deref(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}

// truncate cuts s to n characters, on a character boundary.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// byteSize writes a size for people: 32 MiB, 512 KiB, 100 bytes.
func byteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
