package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/runwayhq/runway"
)

// testDB imports the osv package's hand-written advisories into a
// database shared by this test binary, once.
var testDB = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "runway-vulndb-")
	if err != nil {
		return "", err
	}
	var out, errb strings.Builder
	a := &app{stdio: stdio{in: strings.NewReader(""), out: &out, err: &errb}, environ: os.Environ(), terminal: func(any) bool { return false }}
	if code := a.execute(context.Background(), []string{"db", "import", "--db", dir, "../../scanner/osv/testdata/advisories"}); code != 0 {
		return "", fmt.Errorf("db import: exit %d: %s", code, errb.String())
	}
	return dir, nil
})

func vulnDB(t *testing.T) string {
	t.Helper()
	dir, err := testDB()
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// fakeSlackToken builds a token of Slack's bot-token shape at run time, so
// that no such string is committed.
func fakeSlackToken() string {
	r := rand.New(rand.NewPCG(7, 11))
	digits := func(n int) string {
		var b strings.Builder
		for range n {
			b.WriteByte(byte('0' + r.IntN(10)))
		}
		return b.String()
	}
	const alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	var tail strings.Builder
	for range 24 {
		tail.WriteByte(alnum[r.IntN(len(alnum))])
	}
	return "xoxb-" + digits(12) + "-" + digits(13) + "-" + tail.String()
}

const riskyLock = `{
  "name": "expense-portal",
  "version": "1.0.0",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {
    "": {"name": "expense-portal", "version": "1.0.0", "dependencies": {"lodash": "4.17.15", "mkdirp": "0.5.5"}},
    "node_modules/lodash": {"version": "4.17.15", "license": "MIT"},
    "node_modules/mkdirp": {"version": "0.5.5", "license": "MIT", "dependencies": {"minimist": "^1.2.5"}},
    "node_modules/minimist": {"version": "1.2.5", "license": "MIT"}
  }
}
`

// TestGateFindsSupplyChainProblems runs the whole gate on an app with a
// leaked key, vulnerable dependencies (one direct, one transitive) and
// risky code: it is blocked, the fixes are grouped by action, and the key's
// value appears nowhere Runway writes.
func TestGateFindsSupplyChainProblems(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	token := fakeSlackToken()
	files := map[string]string{
		"runway.yaml":       "name: expense-portal\nowner: finance\nrisk: medium\naudience: team\ndata: [internal]\n",
		"package.json":      `{"name": "expense-portal", "version": "1.0.0", "dependencies": {"lodash": "4.17.15", "mkdirp": "0.5.5"}}` + "\n",
		"package-lock.json": riskyLock,
		"app/config.js":     "module.exports = { slackToken: '" + token + "' };\n",
		"app/server.js": `const express = require('express');
const app = express();
app.get('/calc', (req, res) => {
  res.send(String(eval(req.query.expr)));
});
module.exports = app;
`,
	}
	for name, data := range files {
		path := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r := cli(t, "", "check", dir, "--quiet", "--color", "never", "--vuln-db", vulnDB(t))
	if r.code != exitBlocked {
		t.Fatalf("exit %d, want %d\n%s%s", r.code, exitBlocked, r.stdout, r.stderr)
	}
	for _, want := range []string{
		"Rotate leaked keys", "app/config.js:1",
		"Upgrade packages", "lodash", "4.17.21", "minimist", "mkdirp",
		"User input is run as code", "app/server.js:4", // a warning at tier 2: it blocks tier 3
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("report lacks %q:\n%s", want, r.stdout)
		}
	}
	rep := decode(t, cli(t, "", "check", dir, "--quiet", "--format", "json", "--vuln-db", vulnDB(t)).stdout)
	kinds := map[runway.FindingKind]int{}
	for _, f := range rep.Findings {
		kinds[f.Kind]++
	}
	for _, k := range []runway.FindingKind{runway.KindSecret, runway.KindVulnerability, runway.KindSAST, runway.KindPolicy} {
		if kinds[k] == 0 {
			t.Errorf("no %s finding: %v", k, kinds)
		}
	}
	if rep.SBOM == nil || rep.SBOM.Components < 3 {
		t.Errorf("SBOM summary = %+v", rep.SBOM)
	}
	assertNoSecret(t, token, dir, r.stdout+r.stderr)
}

// assertNoSecret fails when the value, or any 8 characters of it, appears
// in the output or in any file Runway wrote under .runway.
func assertNoSecret(t *testing.T, value, dir, output string) {
	t.Helper()
	texts := map[string]string{"output": output}
	filepath.WalkDir(filepath.Join(dir, ".runway"), func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			data, _ := os.ReadFile(path)
			texts[path] = string(data)
		}
		return nil
	})
	if len(texts) < 5 {
		t.Fatalf("expected artifacts to inspect, found %d", len(texts))
	}
	for where, text := range texts {
		for i := 0; i+8 <= len(value); i++ {
			if part := value[i : i+8]; strings.Contains(text, part) {
				t.Errorf("%s contains %q, part of the secret", where, part)
				break
			}
		}
	}
}
