package opa

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/runwayhq/runway"
)

// writeBundle writes an OPA bundle archive (.tar.gz) holding files.
func writeBundle(t *testing.T, files map[string]string) string {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for name, text := range files {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(text)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(text)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "org.tar.gz")
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestBundleArchive: a bundle archive loads with its data, its manifest's
// Rego versions and its revision, which the decision log records.
func TestBundleArchive(t *testing.T) {
	t.Parallel()
	bundle := writeBundle(t, map[string]string{
		".manifest":        `{"revision": "acme-2026.11.1", "rego_version": 0, "file_rego_versions": {"/acme/new.rego": 1}}`,
		"acme/data.json":   `{"max_users": 10}`,
		"acme/legacy.rego": "package acme.legacy\n\nwarn[msg] {\n  input.manifest.expected_users > data.acme.max_users\n  msg := \"more users than Acme's limit for personal apps\"\n}\n",
		"acme/new.rego":    "package acme.new\n\ndeny contains \"no description\" if object.get(input.manifest, \"description\", \"\") == \"\"\n",
	})
	var log bytes.Buffer
	e := newEngine(t, Options{Policies: []string{bundle}, DecisionLog: &log})
	m := personalApp()
	m.ExpectedUsers = 12
	ws := workspace(t, m, smallInventory())
	r := cleanReport()
	if err := e.Decide(context.Background(), ws, r); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range r.Findings {
		got = append(got, f.Rule+" @ "+f.File)
	}
	want := []string{bundle + ":/acme/new.rego", bundle + ":/acme/legacy.rego"}
	if diff := cmp.Diff([]string{"acme.new.deny @ " + want[0], "acme.legacy.warn @ " + want[1]}, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	var entry LogEntry
	if err := json.Unmarshal(log.Bytes(), &entry); err != nil {
		t.Fatalf("decision log line: %v\n%s", err, log.String())
	}
	if entry.Bundles[bundle] != "acme-2026.11.1" {
		t.Errorf("bundle revisions in the log = %v", entry.Bundles)
	}
}

// TestBundleWithBrokenVersion: a file the manifest declares v1 but written
// in v0 is a parse error at its line, not a silent pass.
func TestBundleWithBrokenVersion(t *testing.T) {
	t.Parallel()
	bundle := writeBundle(t, map[string]string{
		".manifest": `{"rego_version": 1}`,
		"old.rego":  "package acme.old\n\ndeny[msg] {\n  msg := \"x\"\n}\n",
	})
	_, err := New(context.Background(), Options{Policies: []string{bundle}})
	if runway.ErrorCode(err) != runway.EINVALID || !strings.Contains(err.Error(), "old.rego:3") {
		t.Errorf("error %v, want EINVALID at old.rego:3", err)
	}
}

// TestDecisionLog: one JSON line per decision, with the digest of the
// saved input, whole lines even when decisions run at the same time.
func TestDecisionLog(t *testing.T) {
	t.Parallel()
	var log lockedBuffer
	e := newEngine(t, Options{Policies: []string{"testdata/seed"}, DecisionLog: &log})
	ws := workspace(t, teamApp(), smallInventory())
	if err := e.Decide(context.Background(), ws, cleanReport()); err != nil {
		t.Fatal(err)
	}
	saved, err := os.ReadFile(filepath.Join(ws.OutDir, InputFile))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(saved)
	var first LogEntry
	if err := json.Unmarshal(bytes.TrimSpace(log.bytes()), &first); err != nil {
		t.Fatal(err)
	}
	want := LogEntry{Time: now, App: "expense-approvals", Environment: "production", InputDigest: "sha256:" + hex.EncodeToString(sum[:]),
		Result:   LogResult{Decision: runway.DecisionNeedsApproval, Tier: 2, Approvals: []runway.Role{"team-lead"}, Deny: []string{}, Warn: []string{}, Exceptions: []string{}},
		Revision: e.ps.revision}
	if diff := cmp.Diff(want, first); diff != "" {
		t.Errorf("log entry (-want +got):\n%s", diff)
	}
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			r := cleanReport()
			if err := e.Decide(context.Background(), &runway.Workspace{Dir: ws.Dir, Manifest: teamApp(), Inventory: ws.Inventory}, r); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	lines := 0
	sc := bufio.NewScanner(bytes.NewReader(log.bytes()))
	for sc.Scan() {
		var e LogEntry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("line %d is not a whole entry: %v", lines+1, err)
		}
		lines++
	}
	if lines != 21 {
		t.Errorf("%d log lines, want 21", lines)
	}
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *lockedBuffer) bytes() []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]byte(nil), l.buf.Bytes()...)
}

// TestCheck lists every problem of a set of policies, with positions and
// rules, including problems in test files.
func TestCheck(t *testing.T) {
	t.Parallel()
	dir := writePolicies(t, map[string]string{
		"a.rego":      "package acme.a\n\ndeny contains msg if {\n  msg := nope(1)\n}\n",
		"b_test.rego": "package acme.b_test\n\ntest_x if {\n  data.acme.a.deny == \n}\n",
	})
	problems, err := Check(context.Background(), []string{dir})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range problems {
		got = append(got, strings.TrimPrefix(p.String(), dir+"/"))
	}
	want := []string{"b_test.rego:5:1: rule acme.b_test.test_x: rego_parse_error: unexpected } token"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	problems, err = Check(context.Background(), []string{"testdata/org", "testdata/seed"})
	if err != nil || len(problems) != 0 {
		t.Errorf("the test policies have problems: %v %v", problems, err)
	}
}

// TestBuiltinPolicyTests runs the built-in bundle's _test.rego files, so
// that `go test` fails when a built-in policy breaks its tests.
func TestBuiltinPolicyTests(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	sum, err := Test(context.Background(), nil, &out, TestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !sum.OK() || sum.Passed < 55 {
		t.Errorf("built-in policy tests: %+v\n%s", sum, out.String())
	}
	if !strings.Contains(out.String(), "PASS: ") {
		t.Errorf("no opa test summary:\n%s", out.String())
	}
}

// TestEveryBuiltinPolicyIsDocumented: each built-in policy says what it is
// for in plain words and has tests.
func TestEveryBuiltinPolicyIsDocumented(t *testing.T) {
	t.Parallel()
	o, err := readBuiltin()
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string]bool{}
	for _, s := range o.sources {
		if s.test {
			tests[strings.TrimSuffix(s.file, "_test.rego")] = true
		}
	}
	for _, s := range o.sources {
		if s.test {
			continue
		}
		if !strings.Contains(s.text, "# METADATA\n# title: ") || !strings.Contains(s.text, "# description: |") {
			t.Errorf("%s has no METADATA title and description", s.file)
		}
		if name := strings.TrimSuffix(s.file, ".rego"); !tests[name] && name != builtinPrefix+"lib" {
			t.Errorf("%s has no _test.rego", s.file)
		}
	}
}
