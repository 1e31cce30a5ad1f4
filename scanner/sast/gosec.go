package sast

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"

	"github.com/runwayhq/runway"
	"github.com/securego/gosec/v2"
	"github.com/securego/gosec/v2/analyzers"
	"github.com/securego/gosec/v2/issue"
	"github.com/securego/gosec/v2/rules"
)

// errNoGo says why Go code was not checked on a machine without Go.
var errNoGo = errors.New("the Go scanner needs the go command, which is not installed or not on PATH; install Go (the version in go.mod) where `runway check` runs")

// excludedGoRules are gosec rules that do not fit apps the platform runs:
// G102 flags listening on all interfaces, which is how a container or a
// supervised process behind the platform's proxy must listen.
var excludedGoRules = []string{"G102"}

// goResult is what gosec found, and the packages it could not load.
type goResult struct {
	findings []runway.Finding
	// problems are load and type-check errors, one line each: the code
	// was checked as far as gosec could.
	problems []string
}

// scanGo runs gosec's rules and analysers over the Go packages in dirs
// (relative to root, forward slashes). gosec loads packages through the go
// command and type-checks them, so it needs Go installed and the module's
// dependencies in the module cache (or a reachable proxy).
//
// gosec cannot be interrupted: when ctx ends first, scanGo returns at once
// and the analysis finishes in the background.
func scanGo(ctx context.Context, root string, dirs []string, logw io.Writer) (*goResult, error) {
	if _, err := exec.LookPath("go"); err != nil {
		return nil, errNoGo
	}
	if len(dirs) == 0 {
		return &goResult{}, nil
	}
	root, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	logger := log.New(logw, "gosec: ", 0)
	// gosec's own #nosec comments need no reason; Runway's
	// `runway:allow RULE -- reason`, applied by the check runner, is the one
	// way to accept a finding, so #nosec is ignored.
	conf := gosec.NewConfig()
	conf.SetGlobal(gosec.Nosec, "true")
	a := gosec.NewAnalyzer(conf, false, true, false, max(1, runtime.NumCPU()), logger)
	a.LoadRules(rules.Generate(false, rules.NewRuleFilter(true, excludedGoRules...)).RulesInfo())
	a.LoadAnalyzers(analyzers.Generate(false).AnalyzersInfo())
	paths := make([]string, len(dirs))
	for i, d := range dirs {
		paths[i] = filepath.Join(root, filepath.FromSlash(d))
	}
	done := make(chan error, 1)
	go func() { done <- a.Process(nil, paths...) }()
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case err := <-done:
		if err != nil {
			return nil, fmt.Errorf("gosec: %w", err)
		}
	}
	issues, _, loadErrs := a.Report()
	return &goResult{findings: goFindings(root, issues), problems: goProblems(root, loadErrs)}, nil
}

// goProblems lists what gosec could not load, relative to root.
func goProblems(root string, errs map[string][]gosec.Error) []string {
	var out []string
	for file, list := range errs {
		rel := relPath(root, file)
		for _, e := range list {
			if strings.Contains(e.Err, "no buildable Go source files") {
				continue // a folder of tests only, or of other platforms
			}
			out = append(out, fmt.Sprintf("%s:%d: %s", rel, e.Line, e.Err))
		}
	}
	sort.Strings(out)
	return out
}

// goFindings maps gosec issues to findings with plain-language titles and
// fixes, sorted by file and line.
func goFindings(root string, issues []*issue.Issue) []runway.Finding {
	sort.SliceStable(issues, func(i, j int) bool {
		if issues[i].File != issues[j].File {
			return issues[i].File < issues[j].File
		}
		return firstNumber(issues[i].Line) < firstNumber(issues[j].Line)
	})
	ids := occurrences{}
	lines := sourceLines{}
	var out []runway.Finding
	for _, is := range issues {
		info := goRuleInfo(is.RuleID)
		file := relPath(root, is.File)
		line := firstNumber(is.Line)
		snippet := lines.get(is.File, line)
		if info.secret {
			snippet = redactStrings(snippet)
		}
		rule := "go/" + is.RuleID
		out = append(out, runway.Finding{
			ID:       ids.id(rule, file, snippet),
			Check:    checkName,
			Kind:     runway.KindSAST,
			Severity: goSeverity(is.Severity),
			Title:    titleWithCWE(info.title, goCWE(is)),
			Message:  goMessage(is),
			File:     file,
			Line:     line,
			Column:   firstNumber(is.Col),
			Rule:     rule,
			Fix:      info.fix(is.RuleID),
		})
	}
	return out
}

// goMessage is gosec's own short description, ending with a full stop.
func goMessage(is *issue.Issue) string {
	what := strings.TrimSpace(is.What)
	if what == "" {
		return "gosec reported " + is.RuleID + "."
	}
	if !strings.HasSuffix(what, ".") {
		what += "."
	}
	return "gosec " + is.RuleID + ": " + what
}

func goSeverity(s issue.Score) runway.Severity {
	switch s {
	case issue.High:
		return runway.SeverityHigh
	case issue.Medium:
		return runway.SeverityMedium
	}
	return runway.SeverityLow
}

func goCWE(is *issue.Issue) int {
	if is.Cwe == nil {
		return 0
	}
	n, _ := strconv.Atoi(is.Cwe.ID)
	return n
}

// firstNumber reads "12" and the start of a range "12-14".
func firstNumber(s string) int {
	head, _, _ := strings.Cut(s, "-")
	n, _ := strconv.Atoi(strings.TrimSpace(head))
	return n
}

// relPath makes path relative to root with forward slashes; a path
// outside root is kept as it is.
func relPath(root, path string) string {
	if !filepath.IsAbs(path) {
		return filepath.ToSlash(path)
	}
	rel, err := filepath.Rel(root, path)
	if err != nil || strings.HasPrefix(rel, "..") {
		return filepath.ToSlash(path)
	}
	return filepath.ToSlash(rel)
}

// sourceLines reads a file's lines once, to give findings IDs from their
// code rather than their line number.
type sourceLines map[string][]string

// get returns line n (from 1) of file with its whitespace collapsed, or "".
func (s sourceLines) get(file string, n int) string {
	lines, ok := s[file]
	if !ok {
		if f, err := os.Open(file); err == nil {
			sc := bufio.NewScanner(f)
			sc.Buffer(make([]byte, 64<<10), maxSourceBytes)
			for sc.Scan() {
				lines = append(lines, sc.Text())
			}
			f.Close()
		}
		s[file] = lines
	}
	if n < 1 || n > len(lines) {
		return ""
	}
	return strings.Join(strings.Fields(lines[n-1]), " ")
}
