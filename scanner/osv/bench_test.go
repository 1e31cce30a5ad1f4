package osv

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/runwayhq/runway"
)

// syntheticRecord is an OSV record shaped like GitHub's: two ranges, a
// CVSS vector, aliases; every fifth one, like osv.dev's PyPI records,
// carries an expanded versions list.
func syntheticRecord(eco string, i, pkg int) []byte {
	versions := ""
	if i%5 == 0 {
		var vs []string
		for v := range 60 {
			vs = append(vs, fmt.Sprintf(`"1.%d.%d"`, v/10, v%10))
		}
		versions = `, "versions": [` + strings.Join(vs, ", ") + `]`
	}
	return fmt.Appendf(nil, `{"schema_version": "1.4.0", "id": "GHSA-%s-%06d", "modified": "2024-0%d-12T17:06:26Z",
 "aliases": ["CVE-2024-%05d"], "summary": "Synthetic advisory %d in pkg-%05d",
 "details": "A long description of the problem that real advisories carry, with enough text to weigh what the real ones weigh when parsed and stored.",
 "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"}],
 "affected": [{"package": {"ecosystem": %q, "name": "pkg-%05d"},
   "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.%d.%d"}, {"introduced": "2.0.0"}, {"fixed": "2.%d.1"}]}]%s}],
 "references": [{"type": "ADVISORY", "url": "https://nvd.nist.gov/vuln/detail/CVE-2024-%05d"}],
 "database_specific": {"cwe_ids": ["CWE-79"], "severity": "HIGH", "github_reviewed": true}}`,
		strings.ToLower(eco[:2]), i, 1+i%9, i, i, pkg, eco, pkg, i%7, i%10, i%5, versions, i)
}

// syntheticArchive is an all.zip of n records over n/2 packages.
func syntheticArchive(b testing.TB, eco string, n int) []byte {
	entries := make([]zipEntry, n)
	for i := range n {
		entries[i] = zipEntry{fmt.Sprintf("GHSA-%06d.json", i), syntheticRecord(eco, i, i/2)}
	}
	return zipOf(b, entries...)
}

// benchDatabase builds, once per run, a database of 20,000 npm, 4,000
// PyPI and 2,000 Go advisories.
func benchDatabase(b *testing.B) string {
	b.Helper()
	dir := filepath.Join(b.TempDir(), "db")
	tmp := b.TempDir()
	var srcs []string
	for eco, n := range map[string]int{"npm": 20000, "PyPI": 4000, "Go": 2000} {
		srcs = append(srcs, writeFile(b, tmp, eco+"/all.zip", syntheticArchive(b, eco, n)))
	}
	if _, err := (&Importer{Dir: dir}).Import(context.Background(), srcs...); err != nil {
		b.Fatal(err)
	}
	return dir
}

// benchInventory is a realistic app's 220 components: 180 npm, 20 PyPI,
// 20 Go; one in six has advisories, installed at a vulnerable version.
func benchInventory() *runway.Inventory {
	inv := &runway.Inventory{}
	add := func(eco string, n, offset int) {
		for i := range n {
			pkg := fmt.Sprintf("pkg-%05d", offset+i*7)
			if i%6 != 0 {
				pkg = fmt.Sprintf("clean-%s-%d", eco, i)
			}
			inv.Components = append(inv.Components, runway.Component{Ecosystem: eco, Name: pkg, Version: "1.0.3", Direct: i%4 == 0, Source: "lockfile", IntroducedBy: []string{"parent"}})
		}
	}
	add("npm", 180, 0)
	add("PyPI", 20, 100)
	add("Go", 20, 200)
	return inv
}

// reportCPU reports the process's CPU time per operation (user + system,
// garbage collection included) beside the wall time, which on a shared
// machine mostly measures the other processes.
func reportCPU(b *testing.B) func() {
	start := cpuTime()
	return func() {
		b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkLookup220 is the vulnerability part of a warm gate: open the
// database and match 220 components.
func BenchmarkLookup220(b *testing.B) {
	dir := benchDatabase(b)
	inv := benchInventory()
	b.ReportAllocs()
	b.ResetTimer()
	defer reportCPU(b)()
	for b.Loop() {
		db, err := Open(dir)
		if err != nil {
			b.Fatal(err)
		}
		found := 0
		for _, c := range inv.Components {
			ms, err := db.Matches(c.Ecosystem, c.Name, c.Version)
			if err != nil {
				b.Fatal(err)
			}
			found += len(ms)
		}
		db.Close()
		if found == 0 {
			b.Fatal("nothing matched: the benchmark measures nothing")
		}
	}
}

// BenchmarkCheck220 is the whole check on 220 components: lookups,
// findings, fixes and summary.
func BenchmarkCheck220(b *testing.B) {
	c := New(Options{DB: benchDatabase(b)})
	ws := workspace(benchInventory(), nil)
	b.ReportAllocs()
	b.ResetTimer()
	defer reportCPU(b)()
	for b.Loop() {
		if out := run(b, c, ws); len(out.Findings) == 0 {
			b.Fatalf("no findings: %s", out.Summary)
		}
	}
}

// BenchmarkImport20k imports osv.dev-shaped all.zip of 20,000 records into
// an empty database.
func BenchmarkImport20k(b *testing.B) {
	src := writeFile(b, b.TempDir(), "all.zip", syntheticArchive(b, "npm", 20000))
	b.ReportAllocs()
	b.ResetTimer()
	defer reportCPU(b)()
	for b.Loop() {
		dir := filepath.Join(b.TempDir(), "db")
		res, err := (&Importer{Dir: dir}).Import(context.Background(), src)
		if err != nil || res.Records != 20000 {
			b.Fatalf("%v %+v", err, res)
		}
	}
}
