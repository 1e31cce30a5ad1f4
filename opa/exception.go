package opa

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"sync"
	"time"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/schema"
	"github.com/runwayhq/runway/yamlfile"
)

// Exception lets one app break one policy rule until a day, for a reason,
// with someone's approval. The server grants and stores them; the CLI
// reads them from a file (schema/policy-exceptions.schema.json).
type Exception struct {
	// App is the app's name in runway.yaml.
	App string `json:"app"`
	// Rule is "<package>.<rule>" as findings show it.
	Rule     string `json:"rule"`
	Reason   string `json:"reason"`
	Approver string `json:"approver"`
	// Expires is the last day it applies (YYYY-MM-DD, UTC).
	Expires string `json:"expires"`
	// Environments limit it to some environments; empty means all.
	Environments []string `json:"environments,omitempty"`
}

// ActiveAt reports whether the exception applies at t in environment env.
// An exception whose date cannot be read never applies.
func (e Exception) ActiveAt(t time.Time, env string) bool {
	day, err := time.Parse(time.DateOnly, e.Expires)
	if err != nil || !t.Before(day.AddDate(0, 0, 1)) {
		return false
	}
	return len(e.Environments) == 0 || slices.Contains(e.Environments, env)
}

var exceptionSchema = sync.OnceValues(func() (*yamlfile.Schema, error) {
	return yamlfile.CompileSchema("policy-exceptions.schema.json", schema.PolicyExceptions)
})

// LoadExceptions reads a policy exceptions file (YAML or JSON). Problems
// with its content are EINVALID errors that list every problem with its
// line, in plain words.
func LoadExceptions(path string) ([]Exception, error) {
	doc, err := yamlfile.ReadFile(path, path, yamlfile.DefaultLimits)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &runway.Error{Code: runway.EINVALID, Err: err,
			Message: fmt.Sprintf("the policy exceptions file %s does not exist: check the path given with --exceptions or policy.exceptions in the config", path)}
	}
	if err != nil {
		return nil, exceptionsError(err)
	}
	s, err := exceptionSchema()
	if err != nil {
		return nil, err
	}
	if err := doc.Validate(s); err != nil {
		return nil, exceptionsError(err)
	}
	var file struct {
		Exceptions []Exception `json:"exceptions"`
	}
	if err := doc.Decode(&file); err != nil {
		return nil, err
	}
	var problems []yamlfile.Problem
	for i, e := range file.Exceptions {
		if _, err := time.Parse(time.DateOnly, e.Expires); err != nil {
			ptr := fmt.Sprintf("/exceptions/%d/expires", i)
			line, col := doc.Pos(ptr)
			problems = append(problems, yamlfile.Problem{Line: line, Column: col, Path: yamlfile.DisplayPath(ptr),
				Message: fmt.Sprintf("`%s` is not a real day", e.Expires), Hint: "Write the last day the exception applies as YYYY-MM-DD, such as 2026-12-31."})
		}
	}
	if err := yamlfile.NewError(path, problems); err != nil {
		return nil, exceptionsError(err)
	}
	return file.Exceptions, nil
}

func exceptionsError(err error) error {
	return &runway.Error{Code: runway.EINVALID, Message: "the policy exceptions file has problems", Err: err}
}

// activeExceptions returns the exceptions for app, each marked with
// whether it applies now in env. Expired ones stay in the input, inactive,
// so policies and explanations can say that they expired.
func activeExceptions(all []Exception, app, env string, now time.Time) []ExceptionState {
	out := []ExceptionState{}
	for _, e := range all {
		if e.App == app {
			out = append(out, ExceptionState{Exception: e, Active: e.ActiveAt(now, env)})
		}
	}
	return out
}
