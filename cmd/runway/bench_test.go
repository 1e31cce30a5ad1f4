package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkGateLockfileOnly is one `runway check` of the supply-chain gate
// (secrets, inventory, vulnerabilities, both SBOMs, policy; the app's own
// commands and static analysis skipped) on the node-api template's code
// with a real npm lockfile of ~280 packages and no node_modules, run in
// process: Runway's own cost, without process start-up. Issue 3's goal for
// the whole lockfile-only gate is under 300 ms warm (bench/gate.sh times
// the process end to end).
func BenchmarkGateLockfileOnly(b *testing.B) {
	dir := filepath.Join(b.TempDir(), "app")
	if r := cliB(b, "new", "node-api", dir, "--name", "expense-approvals", "--owner", "finance", "--yes"); r.code != 0 {
		b.Fatal(r.stderr)
	}
	for _, f := range []string{"package.json", "package-lock.json"} {
		data, err := os.ReadFile(filepath.Join("../../scanner/inventory/testdata/bench", f))
		if err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), data, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	db, err := testDB()
	if err != nil {
		b.Fatal(err)
	}
	args := []string{"check", dir, "--quiet", "--format", "json", "--skip", "build,lint,test,sast", "--vuln-db", db}
	cliB(b, args...) // warm: the secrets cache, the page cache
	b.ResetTimer()
	for b.Loop() {
		if r := cliB(b, args...); r.code > exitBlocked {
			b.Fatal(r.stderr)
		}
	}
}

func cliB(b *testing.B, args ...string) result {
	var out, errb bytes.Buffer
	a := &app{
		stdio:    stdio{in: strings.NewReader(""), out: &out, err: &errb},
		environ:  append(os.Environ(), "XDG_CACHE_HOME="+filepath.Join(os.TempDir(), "runway-bench-cache")),
		terminal: func(any) bool { return false },
	}
	code := a.execute(context.Background(), args)
	return result{out.String(), errb.String(), code}
}
