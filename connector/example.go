package connector

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/runwayhq/runway/schema"
	"github.com/runwayhq/runway/yamlfile"
)

// ExamplesDir holds a connector's examples, beside connector.yaml.
const ExamplesDir = "tests"

// Example is one tests/*.yaml: given a request (or a time), the calls to
// other services and the answer the connector must make.
type Example struct {
	// File is the example's path relative to the app's folder.
	File        string
	Description string

	Request *exampleRequest `json:"request"`
	Time    time.Time       `json:"time"`
	Replies map[string]exampleReply
	Expect  exampleExpect
}

type exampleRequest struct {
	Method  string            `json:"method"`
	Path    string            `json:"path"`
	Query   map[string]string `json:"query"`
	Headers map[string]string `json:"headers"`
	Body    any               `json:"body"`
}

type exampleReply struct {
	Status int              `json:"status"`
	Body   any              `json:"body"`
	Rows   []map[string]any `json:"rows"`
}

// body is the reply's body as a service sends it: text as it is, other
// values as JSON.
func (r exampleReply) body() ([]byte, error) {
	if s, ok := r.Body.(string); ok {
		return []byte(s), nil
	}
	if r.Body == nil {
		return []byte(`{"ok": true}`), nil
	}
	return json.Marshal(r.Body)
}

type exampleExpect struct {
	Response *struct {
		Status int `json:"status"`
		Body   any `json:"body"`
	} `json:"response"`
	Calls *[]expectedCall `json:"calls"`
}

type expectedCall struct {
	Step   string `json:"step"`
	Method string `json:"method"`
	Host   string `json:"host"`
	Path   string `json:"path"`
	Body   any    `json:"body"`
}

// defaultExampleTime is when an example runs unless it says otherwise.
var defaultExampleTime = time.Date(2025, 1, 1, 9, 0, 0, 0, time.UTC)

var compiledExampleSchema = sync.OnceValues(func() (*yamlfile.Schema, error) {
	return yamlfile.CompileSchema("connector-test.schema.json", schema.ConnectorTest)
})

// ExampleFiles lists the examples of the connector in dir (tests/*.yaml
// and *.yml), relative to dir, sorted.
func ExampleFiles(dir string) ([]string, error) {
	var out []string
	for _, pattern := range []string{"*.yaml", "*.yml"} {
		m, err := filepath.Glob(filepath.Join(dir, ExamplesDir, pattern))
		if err != nil {
			return nil, err
		}
		for _, f := range m {
			out = append(out, path.Join(ExamplesDir, filepath.Base(f)))
		}
	}
	sort.Strings(out)
	return out, nil
}

// LoadExample reads the example at file (relative to dir) and checks it
// against c: the steps it names must exist. Problems are a
// *yamlfile.Error.
func LoadExample(dir, file string, c *Connector) (*Example, error) {
	doc, err := yamlfile.ReadFile(filepath.Join(dir, filepath.FromSlash(file)), file, yamlfile.DefaultLimits)
	if err != nil {
		return nil, err
	}
	return exampleFromDocument(doc, c)
}

// ParseExample reads an example held in data, naming it file.
func ParseExample(file string, data []byte, c *Connector) (*Example, error) {
	doc, err := yamlfile.Parse(file, data, yamlfile.DefaultLimits)
	if err != nil {
		return nil, err
	}
	return exampleFromDocument(doc, c)
}

func exampleFromDocument(doc *yamlfile.Document, c *Connector) (*Example, error) {
	s, err := compiledExampleSchema()
	if err != nil {
		return nil, err
	}
	if err := doc.Validate(s); err != nil {
		return nil, err
	}
	var raw struct {
		Description string                  `json:"description"`
		Request     *exampleRequest         `json:"request"`
		Time        string                  `json:"time"`
		Replies     map[string]exampleReply `json:"replies"`
		Expect      exampleExpect           `json:"expect"`
	}
	if err := doc.Decode(&raw); err != nil {
		return nil, err
	}
	ex := &Example{File: doc.File, Description: raw.Description, Request: raw.Request, Replies: raw.Replies, Expect: raw.Expect, Time: defaultExampleTime}
	var problems []yamlfile.Problem
	add := func(ptr, msg, hint string) {
		line, col := doc.Pos(ptr)
		problems = append(problems, yamlfile.Problem{Line: line, Column: col, Path: yamlfile.DisplayPath(ptr), Message: msg, Hint: hint})
	}
	if raw.Time != "" {
		if ex.Time, err = time.Parse(time.RFC3339, raw.Time); err != nil {
			add("/time", fmt.Sprintf("time `%s` is not a time", raw.Time), "Write it like 2025-01-06T09:00:00+01:00.")
		}
	}
	ids := c.stepIDs()
	for id := range raw.Replies {
		if !contains(ids, id) {
			add("/replies/"+escape(id), fmt.Sprintf("there is no step `%s` in connector.yaml%s", id, didYouMean(id, ids)), "Replies are by step id: "+quoteList(ids)+".")
		}
	}
	if raw.Expect.Calls != nil {
		for i, call := range *raw.Expect.Calls {
			if call.Step != "" && !contains(ids, call.Step) {
				add(fmt.Sprintf("/expect/calls/%d/step", i), fmt.Sprintf("there is no step `%s` in connector.yaml%s", call.Step, didYouMean(call.Step, ids)), "")
			}
		}
	}
	if raw.Request != nil && c.Trigger.Kind == "schedule" {
		add("/request", "this connector runs on a schedule, so its examples have no request", "Remove `request:`; give `time:` for when the run happens.")
	}
	if err := yamlfile.NewError(doc.File, problems); err != nil {
		return nil, err
	}
	return ex, nil
}

// stepIDs lists every step's id.
func (c *Connector) stepIDs() []string {
	var out []string
	walk(c.steps, func(st *step) { out = append(out, st.id) })
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// event is the run's start an example describes.
func (ex *Example) event(t Trigger) (Event, error) {
	ev := Event{Time: ex.Time, Method: t.Method, Path: t.Path}
	if t.Kind == "schedule" {
		return ev, nil
	}
	r := ex.Request
	if r == nil {
		r = &exampleRequest{}
	}
	if r.Method != "" {
		ev.Method = r.Method
	}
	if r.Path != "" {
		ev.Path = r.Path
	}
	ev.Header = http.Header{"Content-Type": {"application/json"}}
	for k, v := range r.Headers {
		ev.Header.Set(k, v)
	}
	ev.Query = url.Values{}
	for k, v := range r.Query {
		ev.Query.Set(k, v)
	}
	if r.Body != nil {
		data, err := json.Marshal(r.Body)
		if err != nil {
			return ev, err
		}
		ev.Body = data
	}
	return ev, nil
}
