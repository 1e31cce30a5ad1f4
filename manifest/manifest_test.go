package manifest_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/manifest"
	"github.com/runwayhq/runway/runwaytest"
	"github.com/runwayhq/runway/yamlfile"
)

// TestErrors parses every testdata/errors/*.yaml and compares the messages
// with the golden file beside it: these are what a citizen developer reads.
func TestErrors(t *testing.T) {
	files, err := filepath.Glob("testdata/errors/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no inputs: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			m, err := manifest.Parse(data)
			if err == nil {
				t.Fatalf("parsed without error: %+v", m)
			}
			var ye *yamlfile.Error
			if !errors.As(err, &ye) {
				t.Fatalf("error is %T, want *yamlfile.Error: %v", err, err)
			}
			for _, p := range ye.Problems {
				if p.Line <= 0 && !strings.Contains(file, "empty") {
					t.Errorf("problem without a line: %+v", p)
				}
			}
			runwaytest.Golden(t, strings.TrimSuffix(file, ".yaml")+".golden", []byte(err.Error()+"\n"))
		})
	}
}

func TestParseValid(t *testing.T) {
	data := []byte(`# The seed's example app.
name: expense-approvals
owner: finance
template: node-api@1
description: Submit expenses and route them to a team lead.
risk: medium
audience: team
expected_users: 60
data: [internal, pii]
integrations:
  - name: slack
    host: slack.com
    requires_secret: true
    secret: SLACK_BOT_TOKEN
flags:
  security_review: false
budget:
  monthly_usd: 40
run:
  build: npm ci
  lint: npm run lint
  test: npm test
  start: node app/server.js
  health: /healthz
`)
	got, err := manifest.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	want := &runway.Manifest{
		Name: "expense-approvals", Owner: "finance", Template: "node-api@1",
		Description: "Submit expenses and route them to a team lead.",
		Risk:        runway.RiskMedium, Audience: runway.AudienceTeam, ExpectedUsers: 60,
		Data:         []runway.DataClass{runway.DataInternal, runway.DataPII},
		Integrations: []runway.Integration{{Name: "slack", Host: "slack.com", RequiresSecret: true, Secret: "SLACK_BOT_TOKEN"}},
		Budget:       runway.Budget{MonthlyUSD: 40},
		Run:          runway.RunSpec{Build: "npm ci", Lint: "npm run lint", Test: "npm test", Start: "node app/server.js", Health: "/healthz"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("-want +got:\n%s", diff)
	}
}

func TestParseMinimalHasEmptyLists(t *testing.T) {
	m, err := manifest.Parse([]byte("name: a\nowner: b\nrisk: low\naudience: personal\n"))
	if err != nil {
		t.Fatal(err)
	}
	if m.Data == nil || m.Integrations == nil {
		t.Errorf("lists must be empty, not nil, so policy sees arrays: %+v", m)
	}
}

// TestCredentialNeverRepeated: a pasted key must not reach the error text.
func TestCredentialNeverRepeated(t *testing.T) {
	values := []string{
		"xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx",
		"AKIAIOSFODNN7EXAMPLE",
		"9f8e7d6c5b4a39281706fedcba98765",
		"hunter2-is-not-a-name",
		"Zm9vYmFyYmF6cXV4",
	}
	for _, v := range values {
		data := "name: a\nowner: b\nrisk: low\naudience: personal\nintegrations:\n  - name: x\n    host: x.com\n    requires_secret: true\n    secret: " + v + "\n"
		_, err := manifest.Parse([]byte(data))
		if err == nil {
			t.Errorf("%q accepted as a secret name", v)
			continue
		}
		for _, part := range []string{v, v[4:], v[:len(v)-4]} {
			if strings.Contains(err.Error(), part) {
				t.Errorf("error repeats the value %q:\n%v", v, err)
			}
		}
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	_, err := manifest.Load(dir)
	if runway.ErrorCode(err) != runway.ENOTFOUND {
		t.Errorf("missing file: got %v, want ENOTFOUND", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "runway.yaml"), []byte("name: a\nowner: b\nrisk: low\naudience: personal\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := manifest.Load(dir); err != nil {
		t.Errorf("valid file: %v", err)
	}
}

// TestHugeFileRefusedUnread: a 50 MB manifest is refused after reading only
// the limit, with a message that says so.
func TestHugeFileRefusedUnread(t *testing.T) {
	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, "runway.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(50 << 20); err != nil {
		t.Fatal(err)
	}
	f.Close()
	_, err = manifest.Load(dir)
	if err == nil || !strings.Contains(err.Error(), "52428800 bytes") {
		t.Errorf("got %v, want a size error naming the size", err)
	}
}
