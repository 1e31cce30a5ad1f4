package connector

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// Result is how one example went.
type Result struct {
	File        string
	Description string
	// Failures say, in plain words, each way the run differed from the
	// example; none when it passed.
	Failures []string
	// Run is the run's record.
	Run *Run
}

// Passed reports whether the run did what the example expects.
func (r Result) Passed() bool { return len(r.Failures) == 0 }

// Test runs the example against recording stubs: every call is recorded
// and answered as the example says, none reaches a real service, and no
// real secret is needed.
func (c *Connector) Test(ctx context.Context, ex *Example) Result {
	res := Result{File: ex.File, Description: ex.Description}
	ev, err := ex.event(c.Trigger)
	if err != nil {
		res.Failures = []string{err.Error()}
		return res
	}
	fakes := fakeSecrets(c)
	s := &stub{replies: ex.Replies}
	e, err := NewEngine(c, Options{
		Secrets:  func(name string) (string, bool) { v, ok := fakes[name]; return v, ok },
		Outbound: s,
		Now:      func() time.Time { return ex.Time },
		NewID:    func() string { return "00000000-0000-0000-0000-000000000000" },
		Backoff:  time.Millisecond,
	})
	if err != nil {
		res.Failures = []string{err.Error()}
		return res
	}
	res.Run = e.Run(ctx, ev)
	res.Failures = compareRun(ex, res.Run, s.calls)
	return res
}

// compareRun lists how a run differs from what the example expects.
func compareRun(ex *Example, run *Run, calls []*Call) []string {
	var out []string
	if want := ex.Expect.Response; want != nil {
		got := run.Response
		switch {
		case got == nil:
			out = append(out, "the connector gave no answer; the example expects one")
		default:
			if want.Status != 0 && want.Status != got.Status {
				out = append(out, fmt.Sprintf("the answer's status is %d; the example expects %d%s", got.Status, want.Status, runError(run)))
			}
			if want.Body != nil {
				out = append(out, match("the answer's body", want.Body, got.Body)...)
			}
		}
	}
	if ex.Expect.Calls != nil {
		out = append(out, compareCalls(*ex.Expect.Calls, calls)...)
	}
	return out
}

func runError(run *Run) string {
	if run.Error == "" {
		return ""
	}
	return " (" + run.Error + ")"
}

func compareCalls(want []expectedCall, got []*Call) []string {
	var out []string
	for i, w := range want {
		name := fmt.Sprintf("call %d", i+1)
		if i >= len(got) {
			out = append(out, fmt.Sprintf("%s (%s) was not made; the connector made %d %s", name, w.describe(), len(got), plural(len(got), "call")))
			continue
		}
		g := got[i]
		name += " (" + describeCall(g) + ")"
		check := func(field, want, got string) {
			if want != "" && !strings.EqualFold(want, got) {
				out = append(out, fmt.Sprintf("%s: the %s is %s; the example expects %s", name, field, got, want))
			}
		}
		check("step", w.Step, g.Step)
		check("method", w.Method, g.Method)
		check("host", w.Host, g.URL.Hostname())
		check("path", w.Path, g.URL.Path)
		if w.Body != nil {
			out = append(out, match(name+": the body", w.Body, g.Body)...)
		}
	}
	for _, g := range got[min(len(want), len(got)):] {
		out = append(out, fmt.Sprintf("step `%s` made a call the example does not expect: %s", g.Step, describeCall(g)))
	}
	return out
}

func describeCall(c *Call) string { return c.Method + " " + c.URL.Hostname() + c.URL.Path }

func (w expectedCall) describe() string {
	s := strings.TrimSpace(w.Method + " " + w.Host + w.Path)
	if w.Step != "" {
		s = strings.TrimSpace(s + " by step `" + w.Step + "`")
	}
	return s
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// match compares what was sent or answered with what an example expects:
// every field the example names must have its value (other fields are
// ignored); lists must match item by item; numbers compare by value.
func match(where string, want, got any) []string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s is %s; the example expects fields", where, show(got))}
		}
		keys := make([]string, 0, len(w))
		for k := range w {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var out []string
		for _, k := range keys {
			sub := where + "." + k
			if strings.HasSuffix(where, "body") {
				sub = fmt.Sprintf("%s field `%s`", where, k)
			}
			if _, ok := g[k]; !ok {
				out = append(out, fmt.Sprintf("%s is missing; the example expects %s", sub, show(w[k])))
				continue
			}
			out = append(out, match(sub, w[k], g[k])...)
		}
		return out
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return []string{fmt.Sprintf("%s is %s; the example expects %s", where, show(got), show(want))}
		}
		var out []string
		for i := range w {
			out = append(out, match(fmt.Sprintf("%s[%d]", where, i), w[i], g[i])...)
		}
		return out
	}
	if number(want) != nil && number(got) != nil {
		if *number(want) != *number(got) {
			return []string{fmt.Sprintf("%s is %s; the example expects %s", where, show(got), show(want))}
		}
		return nil
	}
	if want != got {
		return []string{fmt.Sprintf("%s is %s; the example expects %s", where, show(got), show(want))}
	}
	return nil
}

func number(v any) *float64 {
	var f float64
	switch x := v.(type) {
	case int64:
		f = float64(x)
	case float64:
		f = x
	case int:
		f = float64(x)
	case json.Number:
		var err error
		if f, err = x.Float64(); err != nil {
			return nil
		}
	default:
		return nil
	}
	return &f
}

// show writes a value for a message: text in quotes, the rest as JSON.
func show(v any) string {
	if v == nil {
		return "empty"
	}
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(data)
}

// WriteResults writes the results for a person, one line per example and
// the reasons of each failure, and returns how many passed and failed.
func WriteResults(w io.Writer, results []Result) (passed, failed int) {
	for _, r := range results {
		mark := "PASS"
		if !r.Passed() {
			mark = "FAIL"
			failed++
		} else {
			passed++
		}
		line := mark + "  " + r.File
		if r.Description != "" {
			line += ": " + r.Description
		}
		fmt.Fprintln(w, line)
		for _, f := range r.Failures {
			fmt.Fprintln(w, "      "+f)
		}
	}
	fmt.Fprintf(w, "%d passed, %d failed\n", passed, failed)
	return passed, failed
}
