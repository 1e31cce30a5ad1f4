// Package report renders the outcome of `runway check` for the people and
// tools that read it: a terminal (text), CI and the server (json), a
// pull-request comment (markdown), code scanning (sarif), GitHub Actions
// annotations and job summaries (github) and GitLab Code Quality. It also
// shows checks while they run (Progress).
//
// Everything a person reads is written for someone who is not a full-time
// developer: what happened, why it matters and exactly what to do next.
// Renderers print only what is in the report: they never read files, the
// environment or the network.
//
// It imports only the root package runway and third-party libraries, never
// another Runway package (runwaytest in tests is the exception). Progress
// satisfies check.Observer without importing check.
package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/runwayhq/runway"
)

// Format is a way to render a report.
type Format string

// Formats of a report.
const (
	Text     Format = "text"     // for a terminal
	JSON     Format = "json"     // the runway.check/v1 contract
	Markdown Format = "markdown" // a pull-request comment
	SARIF    Format = "sarif"    // SARIF 2.1.0, for code scanning
	GitHub   Format = "github"   // GitHub Actions annotations and job summary
)

// Formats lists the formats Write accepts, in the order they are documented.
func Formats() []Format {
	return []Format{Text, JSON, Markdown, SARIF, GitHub}
}

// ParseFormat returns the format named s (case and surrounding spaces do not
// matter). An unknown name is an *runway.Error with code EINVALID whose
// message lists the formats allowed.
func ParseFormat(s string) (Format, error) {
	want := Format(strings.ToLower(strings.TrimSpace(s)))
	for _, f := range Formats() {
		if f == want {
			return f, nil
		}
	}
	return "", unknownFormat(s)
}

func unknownFormat(s string) error {
	names := make([]string, 0, len(Formats()))
	for _, f := range Formats() {
		names = append(names, string(f))
	}
	return runway.Errorf(runway.EINVALID, "unknown report format %q: use one of %s", s, strings.Join(names, ", "))
}

// Options change how a report is rendered.
type Options struct {
	// Color adds ANSI colours to the text format.
	Color bool
	// GitHubSummary, for the github format, receives the job summary in
	// Markdown (the caller opens $GITHUB_STEP_SUMMARY); nil writes none.
	GitHubSummary io.Writer
}

// Write renders r in format f to w. An unknown format is an EINVALID error;
// other errors come from w.
func Write(w io.Writer, f Format, r *runway.Report, opt Options) error {
	var buf bytes.Buffer
	switch f {
	case Text:
		writeText(&buf, r, opt.Color)
	case JSON:
		if err := writeJSON(&buf, r); err != nil {
			return err
		}
	case Markdown:
		writeMarkdown(&buf, r)
	case SARIF:
		if err := writeSARIF(&buf, r); err != nil {
			return err
		}
	case GitHub:
		return writeGitHub(w, r, opt.GitHubSummary)
	default:
		return unknownFormat(string(f))
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// The files WriteArtifacts writes.
const (
	artifactJSON        = "report.json"
	artifactSARIF       = "report.sarif"
	artifactMarkdown    = "report.md"
	artifactCodeQuality = "codequality.json"
)

// WriteArtifacts writes report.json, report.sarif, report.md and
// codequality.json (GitLab Code Quality) into outDir, creating it when
// needed. Each file is replaced whole, never left half-written. A folder
// that cannot be written is an EINVALID error.
func WriteArtifacts(outDir string, r *runway.Report) error {
	files := []struct {
		name   string
		render func(io.Writer) error
	}{
		{artifactJSON, func(w io.Writer) error { return Write(w, JSON, r, Options{}) }},
		{artifactSARIF, func(w io.Writer) error { return Write(w, SARIF, r, Options{}) }},
		{artifactMarkdown, func(w io.Writer) error { return Write(w, Markdown, r, Options{}) }},
		{artifactCodeQuality, func(w io.Writer) error { return writeCodeQuality(w, r) }},
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return cannotWrite(outDir, err)
	}
	// The renderers only read the report, so the files are written at
	// once: the gate's last step should not keep the person waiting.
	errs := make([]error, len(files))
	var wg sync.WaitGroup
	for i, f := range files {
		wg.Go(func() {
			var buf bytes.Buffer
			if err := f.render(&buf); err != nil {
				errs[i] = fmt.Errorf("render %s: %w", f.name, err)
			} else if err := replaceFile(filepath.Join(outDir, f.name), buf.Bytes()); err != nil {
				errs[i] = cannotWrite(outDir, err)
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

func cannotWrite(dir string, err error) error {
	return &runway.Error{Code: runway.EINVALID, Message: fmt.Sprintf("cannot write the report files to %s; choose another folder with --out", dir), Err: err}
}

// replaceFile writes data to a temporary file beside path and renames it,
// so that a reader (a CI upload step) never sees a partial file.
func replaceFile(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op once renamed
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// writeJSON writes the report's contract form, indented by two spaces.
// Missing lists are written as [] rather than null, as the contract says.
func writeJSON(w io.Writer, r *runway.Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(withLists(r))
}

// withLists returns a copy of r whose nil lists are empty, so that JSON
// consumers always get arrays. r is not modified.
func withLists(r *runway.Report) *runway.Report {
	c := *r
	c.ApprovalsRequired = orEmpty(c.ApprovalsRequired)
	c.Checks = orEmpty(c.Checks)
	c.Risk.Reasons = orEmpty(c.Risk.Reasons)
	c.Findings = make([]runway.Finding, len(r.Findings))
	copy(c.Findings, r.Findings)
	for i, f := range c.Findings {
		if f.Advisory != nil && f.Advisory.Aliases == nil {
			a := *f.Advisory
			a.Aliases = []string{}
			c.Findings[i].Advisory = &a
		}
	}
	return &c
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
