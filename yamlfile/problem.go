package yamlfile

import (
	"fmt"
	"sort"
	"strings"
)

// Problem is one thing wrong in a file, at a position, in plain words:
// Message says what is wrong, Hint says what to do about it.
type Problem struct {
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Path    string `json:"path,omitempty"`
	Message string `json:"message"`
	Hint    string `json:"hint,omitempty"`
}

// Error lists every problem found in one file, sorted by position.
type Error struct {
	File     string
	Problems []Problem
}

// Error formats each problem as "file:line:col: message", with its hint
// indented on the following lines.
func (e *Error) Error() string {
	var b strings.Builder
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Where(p))
		b.WriteString(": ")
		b.WriteString(p.Message)
		if p.Hint != "" {
			for _, line := range strings.Split(p.Hint, "\n") {
				b.WriteString("\n    ")
				b.WriteString(line)
			}
		}
	}
	return b.String()
}

// Where returns "file:line:col", or less when the position is unknown.
func (e *Error) Where(p Problem) string {
	switch {
	case p.Line <= 0:
		return e.File
	case p.Column <= 0:
		return fmt.Sprintf("%s:%d", e.File, p.Line)
	default:
		return fmt.Sprintf("%s:%d:%d", e.File, p.Line, p.Column)
	}
}

// NewError returns nil for no problems, else an *Error with the problems
// sorted by position and exact duplicates removed.
func NewError(file string, problems []Problem) error {
	if len(problems) == 0 {
		return nil
	}
	sort.SliceStable(problems, func(i, j int) bool {
		a, b := problems[i], problems[j]
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Column != b.Column {
			return a.Column < b.Column
		}
		return a.Message < b.Message
	})
	out := problems[:1]
	for _, p := range problems[1:] {
		if p != out[len(out)-1] {
			out = append(out, p)
		}
	}
	return &Error{File: file, Problems: out}
}
