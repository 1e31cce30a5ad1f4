package secrets

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/runwayhq/runway"
)

// benchApp, when set, is where BenchmarkScan also writes its app, so that
// other scanners can be timed on the same folder (`gitleaks dir DIR`).
var benchApp = flag.String("secrets.benchapp", "", "also write the benchmark's app to this folder")

// nodeApp writes a realistic Node app into dir: 50 source, config and
// documentation files (51 with package.json and .gitignore), a
// package-lock.json, and a node_modules folder of
// 300 packages (about 1,500 files) that the scan must skip.
func nodeApp(tb testing.TB, dir string) {
	tb.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 40 {
		write(tb, dir, fmt.Sprintf("src/%s/%s%d.js", pickWord(r), pickWord(r), i), jsFile(r, 120+r.IntN(120)))
	}
	for i := range 5 {
		write(tb, dir, fmt.Sprintf("config/%s%d.json", pickWord(r), i), jsonFile(r, 40))
	}
	for i := range 4 {
		write(tb, dir, fmt.Sprintf("docs/%s%d.md", pickWord(r), i), mdFile(r, 80))
	}
	write(tb, dir, "package.json", `{"name":"expense-approvals","version":"1.0.0","dependencies":{"express":"^4.19.2"}}`+"\n")
	write(tb, dir, ".gitignore", "node_modules/\n.env\n")
	var lock strings.Builder
	lock.WriteString("{\n  \"packages\": {\n")
	for p := range 300 {
		name := fmt.Sprintf("%s-%s-%d", pickWord(r), pickWord(r), p)
		fmt.Fprintf(&lock, "    \"node_modules/%s\": {\"version\": \"1.%d.0\", \"integrity\": \"sha512-%s\"},\n", name, p, randomText(r, 86))
		write(tb, dir, "node_modules/"+name+"/package.json", fmt.Sprintf(`{"name":%q,"version":"1.%d.0","main":"index.js"}`+"\n", name, p))
		write(tb, dir, "node_modules/"+name+"/index.js", jsFile(r, 60))
		write(tb, dir, "node_modules/"+name+"/README.md", mdFile(r, 30))
		for j := range 2 {
			write(tb, dir, fmt.Sprintf("node_modules/%s/lib/part%d.js", name, j), jsFile(r, 80))
		}
	}
	lock.WriteString("    \"\": {}\n  }\n}\n")
	write(tb, dir, "package-lock.json", lock.String())
}

var benchWords = []string{"expense", "approval", "report", "budget", "team", "lead", "invoice", "receipt", "user", "account",
	"client", "request", "handler", "service", "store", "token", "session", "config", "route", "payment", "notify", "slack"}

func pickWord(r *rand.Rand) string { return benchWords[r.IntN(len(benchWords))] }

func randomText(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alnum[r.IntN(len(alnum))]
	}
	return string(b)
}

// jsFile writes lines of plausible JavaScript: requires, functions, calls
// and comments, with the words secrets rules look for (token, key,
// password) used the way code uses them.
func jsFile(r *rand.Rand, lines int) string {
	var b strings.Builder
	b.WriteString("'use strict';\n\nconst express = require('express');\nconst { promisify } = require('util');\n\n")
	for i := 0; i < lines; i += 6 {
		a, c := pickWord(r), pickWord(r)
		fmt.Fprintf(&b, "// %s the %s for the %s, unless the %s says otherwise.\n", strings.ToUpper(a[:1])+a[1:], c, pickWord(r), pickWord(r))
		fmt.Fprintf(&b, "async function %s%s(req, res) {\n", a, strings.ToUpper(c[:1])+c[1:])
		fmt.Fprintf(&b, "  const token = req.headers['x-%s-token'] || process.env.%s_TOKEN;\n", a, strings.ToUpper(c))
		fmt.Fprintf(&b, "  const result = await db.query('SELECT * FROM %s WHERE id = $1', [req.params.id]);\n", c)
		fmt.Fprintf(&b, "  return res.status(%d).json({ %s: result.rows, key: `%s-${token.length}` });\n", 200+r.IntN(3), a, c)
		b.WriteString("}\n")
	}
	b.WriteString("\nmodule.exports = { express, promisify };\n")
	return b.String()
}

func jsonFile(r *rand.Rand, keys int) string {
	var b strings.Builder
	b.WriteString("{\n")
	for i := range keys {
		fmt.Fprintf(&b, "  \"%s%d\": {\"enabled\": %t, \"timeoutMs\": %d, \"passwordEnv\": \"%s_PASSWORD\"},\n", pickWord(r), i, r.IntN(2) == 0, r.IntN(5000), strings.ToUpper(pickWord(r)))
	}
	b.WriteString("  \"version\": 1\n}\n")
	return b.String()
}

func mdFile(r *rand.Rand, lines int) string {
	var b strings.Builder
	b.WriteString("# " + pickWord(r) + "\n\n")
	for range lines {
		fmt.Fprintf(&b, "The %s sends the %s to the %s; set `%s_API_KEY` in the platform's secret store.\n", pickWord(r), pickWord(r), pickWord(r), strings.ToUpper(pickWord(r)))
	}
	return b.String()
}

// BenchmarkScan times the whole check on the Node app, as `runway check`
// runs it: rules already compiled (once per process), node_modules skipped.
func BenchmarkScan(b *testing.B) {
	dir := b.TempDir()
	nodeApp(b, dir)
	if *benchApp != "" {
		nodeApp(b, *benchApp)
	}
	benchmarkCheck(b, dir, Options{})
}

// BenchmarkScanCached is BenchmarkScan on its second run: every file is
// unchanged, so the cache answers for it.
func BenchmarkScanCached(b *testing.B) {
	dir := b.TempDir()
	nodeApp(b, dir)
	benchmarkCheck(b, dir, Options{CacheDir: b.TempDir()})
}

// BenchmarkScanRepository is BenchmarkScan in a git repository, which adds
// reading info/exclude and asking git for tracked ignored files.
func BenchmarkScanRepository(b *testing.B) {
	dir := b.TempDir()
	nodeApp(b, dir)
	gitInit(b, dir)
	commit(b, dir, "app")
	benchmarkCheck(b, dir, Options{})
}

// BenchmarkScanHistory adds the git history: 20 commits touching the
// app's sources.
func BenchmarkScanHistory(b *testing.B) {
	dir := b.TempDir()
	nodeApp(b, dir)
	gitInit(b, dir)
	r := rand.New(rand.NewPCG(3, 4))
	for i := range 20 {
		write(b, dir, fmt.Sprintf("src/history/change%d.js", i), jsFile(r, 60))
		commit(b, dir, fmt.Sprintf("change %d", i))
	}
	benchmarkCheck(b, dir, Options{History: true})
}

func benchmarkCheck(b *testing.B, dir string, opt Options) {
	if _, err := rules(false); err != nil {
		b.Fatal(err)
	}
	c := New(opt)
	ws := &runway.Workspace{Dir: dir, OutDir: filepath.Join(dir, ".runway")}
	if opt.CacheDir != "" {
		c.Run(b.Context(), ws, discard{})
	}
	b.ReportAllocs()
	b.ResetTimer()
	start := cpuTime(b)
	for b.Loop() {
		out := c.Run(b.Context(), ws, discard{})
		if out.Status != runway.StatusPass {
			b.Fatalf("%s: %s", out.Status, out.Summary)
		}
	}
	// CPU time is steadier than wall time on a shared machine, and is what
	// compares with `time gitleaks dir` (user + sys).
	b.ReportMetric(float64((cpuTime(b)-start).Milliseconds())/float64(b.N), "cpu-ms/op")
}

// cpuTime is the CPU time (user and system) the process has used so far,
// including finished child processes (git).
func cpuTime(tb testing.TB) time.Duration {
	var total time.Duration
	for _, who := range []int{syscall.RUSAGE_SELF, syscall.RUSAGE_CHILDREN} {
		var ru syscall.Rusage
		if err := syscall.Getrusage(who, &ru); err != nil {
			tb.Fatal(err)
		}
		total += time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	return total
}

// BenchmarkLoadRules times what the first scan in a process pays once:
// parsing and compiling gitleaks' default rules.
func BenchmarkLoadRules(b *testing.B) {
	b.ReportAllocs()
	start := cpuTime(b)
	for b.Loop() {
		if _, err := loadRules(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64((cpuTime(b)-start).Milliseconds())/float64(b.N), "cpu-ms/op")
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// TestNodeAppSkipsVendored keeps the benchmark honest: its app has findings
// in none of its files, and node_modules is skipped.
func TestNodeAppSkipsVendored(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	nodeApp(t, dir)
	out, log := run(t, dir, Options{})
	if out.Status != runway.StatusPass || out.Details["files_scanned"] != 51 || !strings.Contains(log, "node_modules") {
		t.Errorf("got %s %q %v", out.Status, out.Summary, out.Details)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules")); err != nil {
		t.Fatal(err)
	}
}
