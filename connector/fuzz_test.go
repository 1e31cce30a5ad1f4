package connector

import (
	"context"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/cel-go/common/types"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/yamlfile"
)

func fuzzApp() *runway.Manifest {
	return app(integration("slack", "hooks.slack.com", "SLACK_WEBHOOK_URL"), integration("postgres", "10.1.2.3", "DATABASE_URL"),
		integration("pager", "hooks.example.com", "PAGER_SECRET"), integration("api", "api.example.com", ""))
}

func seeds(f *testing.F, patterns ...string) {
	for _, p := range patterns {
		files, _ := filepath.Glob(p)
		for _, file := range files {
			if data, err := os.ReadFile(file); err == nil {
				f.Add(data)
			}
		}
	}
}

// FuzzParse feeds arbitrary bytes to the connector.yaml loader: it never
// panics, and every failure is a positioned *yamlfile.Error. A load takes
// milliseconds (CEL environments), so minimizing a finding is slow: fuzz
// with -fuzzminimizetime=5s.
func FuzzParse(f *testing.F) {
	seeds(f, "testdata/*/connector.yaml", "../templates/_catalog/connector/files/connector.yaml")
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data, fuzzApp())
		if err != nil {
			var ye *yamlfile.Error
			if !errors.As(err, &ye) || len(ye.Problems) == 0 {
				t.Fatalf("error without problems: %T %v", err, err)
			}
			return
		}
		_ = c.Facts()
	})
}

// FuzzExpression compiles arbitrary expressions where a step's field
// would hold them and evaluates those that compile: never a panic, and
// evaluation ends (CEL has no loops; the cost limit bounds the rest).
func FuzzExpression(f *testing.F) {
	for _, s := range []string{"request.body.amount > 100", "request.body.name.trim().size() < 10", "steps.first.total",
		"request.body.tags.map(t, t + '!')", "[1, 2, 3].all(x, x > 0)", "now.getHours('Europe/Paris')", "has(request.body.name) ? 1 : 2",
		"string(request.body.amount) + request.body.name", "lists.range(1000).map(x, lists.range(1000).map(y, x * y))", "1 / 0",
		"request.body{}", "math.greatest([1, 5, 3])", "'abc'.matches('^a.*')"} {
		f.Add(s)
	}
	p, _ := newProvider()
	f.Fuzz(func(t *testing.T, src string) {
		s, err := newScope(p, map[string]*types.Type{"request": types.NewMapType(types.StringType, types.DynType), "now": types.TimestampType})
		if err != nil {
			t.Fatal(err)
		}
		if e, problems := s.compile(src); e != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			e.eval(ctx, map[string]any{"request": map[string]any{"body": map[string]any{"amount": int64(3)}}, "now": time.Unix(0, 0)})
		} else if len(problems) == 0 {
			t.Fatal("no expression and no problem")
		}
		// The same text inside a real connector's field.
		Parse([]byte("trigger: {http: {path: /x}}\nsteps:\n  - id: a\n    transform: {x: "+quoteYAML("${{ "+src+" }}")+"}\n"), fuzzApp())
	})
}

func quoteYAML(s string) string {
	data, _ := jsonString(s)
	return data
}

// FuzzExample feeds arbitrary bytes to the example loader.
func FuzzExample(f *testing.F) {
	seeds(f, "testdata/*/tests/*.yaml", "../templates/_catalog/connector/files/tests/*.yaml")
	c, err := Load("testdata/orders", ordersApp())
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ex, err := ParseExample("tests/fuzz.yaml", data, c)
		if err != nil {
			var ye *yamlfile.Error
			if !errors.As(err, &ye) {
				t.Fatalf("error without problems: %T %v", err, err)
			}
			return
		}
		c.Test(context.Background(), ex)
	})
}

// FuzzRequestBody feeds arbitrary request bodies, as JSON and as forms, to
// the input of the example connector: each is taken or refused with
// problems, never a panic.
func FuzzRequestBody(f *testing.F) {
	for _, s := range []string{`{"customer": "c-1", "lines": [{"sku": "A", "quantity": 2}]}`, `{"lines": "x"}`, `[]`, `{"customer": 1e400}`,
		"customer=c-1&lines=x", `{"lines": [{"quantity": 1.5}]}`} {
		f.Add([]byte(s), true)
		f.Add([]byte(s), false)
	}
	c, err := Load("testdata/orders", ordersApp())
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte, form bool) {
		ct := "application/json"
		if form {
			ct = "application/x-www-form-urlencoded"
		}
		v, err := c.Trigger.input.decodeBody("POST", ct, body, url.Values{})
		var bad *badInput
		if err != nil && !errors.As(err, &bad) {
			t.Fatalf("unexpected error %T %v", err, err)
		}
		if err == nil && v == nil {
			t.Fatal("no body and no error")
		}
	})
}
