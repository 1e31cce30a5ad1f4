package connector

import (
	"bytes"
	"context"
	"testing"

	"github.com/runwayhq/runway"

	"github.com/runwayhq/runway/runwaytest"
)

// ordersApp declares the integrations of testdata/orders.
func ordersApp() *runway.Manifest {
	return app(integration("postgres", "10.1.2.3", "DATABASE_URL"), integration("slack", "hooks.slack.com", "SLACK_WEBHOOK_URL"),
		integration("pager", "hooks.example.com", "PAGER_SECRET"))
}

// runExamples runs every example of the connector in dir.
func runExamples(t *testing.T, dir string) []Result {
	t.Helper()
	c, err := Load(dir, ordersApp())
	if err != nil {
		t.Fatal(err)
	}
	files, err := ExampleFiles(dir)
	if err != nil || len(files) == 0 {
		t.Fatalf("examples: %v %v", files, err)
	}
	var out []Result
	for _, f := range files {
		ex, err := LoadExample(dir, f, c)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, c.Test(context.Background(), ex))
	}
	return out
}

// TestExamples: the examples of a connector that queries a database,
// loops, branches and answers all pass against the recording stubs.
func TestExamples(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	if _, failed := WriteResults(&b, runExamples(t, "testdata/orders")); failed > 0 {
		t.Errorf("examples fail:\n%s", &b)
	}
}

// TestFailingExample: what a person reads when an example fails
// (testdata/failing.golden).
func TestFailingExample(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	WriteResults(&b, runExamples(t, "testdata/failing"))
	runwaytest.Golden(t, "testdata/failing.golden", b.Bytes())
}

// TestExampleProblems: an example naming a step that does not exist is
// explained.
func TestExampleProblems(t *testing.T) {
	t.Parallel()
	c, err := Load("testdata/orders", ordersApp())
	if err != nil {
		t.Fatal(err)
	}
	_, err = ParseExample("tests/x.yaml", []byte("replies:\n  knwn: {rows: []}\nexpect:\n  calls: [{step: nope}]\n  respone: {}\n"), c)
	runwaytest.Golden(t, "testdata/example-problems.golden", []byte(err.Error()+"\n"))
	_, err = ParseExample("tests/x.yaml", []byte("replies:\n  knwn: {rows: []}\nexpect:\n  calls: [{step: nope}]\n"), c)
	runwaytest.Golden(t, "testdata/example-steps.golden", []byte(err.Error()+"\n"))
}
