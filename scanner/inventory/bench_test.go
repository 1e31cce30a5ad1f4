package inventory

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/osv-scalibr/extractor/filesystem"
	"github.com/google/osv-scalibr/extractor/filesystem/language/javascript/packagelockjson"
	scalibrfs "github.com/google/osv-scalibr/fs"
)

// benchApps returns a real Node app (express, axios, winston, pg, eslint,
// mocha... 282 packages, the lockfile in testdata/bench) installed with
// `npm ci` into the user's cache on first use, and a copy holding only its
// lockfile. node_modules is never committed.
func benchApps(b *testing.B) (installed, lockOnly string) {
	b.Helper()
	base, err := os.UserCacheDir()
	if err != nil {
		b.Fatal(err)
	}
	installed = filepath.Join(base, "runway-test", "bench-node-app")
	lockOnly = filepath.Join(base, "runway-test", "bench-node-app-lockfile-only")
	lock, err := os.ReadFile(filepath.Join("testdata", "bench", "package-lock.json"))
	if err != nil {
		b.Fatal(err)
	}
	manifest, err := os.ReadFile(filepath.Join("testdata", "bench", "package.json"))
	if err != nil {
		b.Fatal(err)
	}
	for _, dir := range []string{installed, lockOnly} {
		if current, err := os.ReadFile(filepath.Join(dir, "package-lock.json")); err == nil && string(current) == string(lock) {
			continue
		}
		if err := os.RemoveAll(dir); err != nil {
			b.Fatal(err)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "package.json"), manifest, 0o644); err != nil {
			b.Fatal(err)
		}
		if dir == installed {
			// The lockfile is written last, so that a failed install is
			// retried next time.
			if err := os.WriteFile(filepath.Join(dir, "package-lock.json"), lock, 0o644); err != nil {
				b.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
			cmd := exec.CommandContext(ctx, "npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund")
			cmd.Dir = dir
			out, err := cmd.CombinedOutput()
			cancel()
			if err != nil {
				os.Remove(filepath.Join(dir, "package-lock.json"))
				b.Fatalf("npm ci in %s: %v\n%s", dir, err, out)
			}
			continue
		}
		if err := os.WriteFile(filepath.Join(dir, "package-lock.json"), lock, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return installed, lockOnly
}

// BenchmarkScan lists the dependencies of the benchmark app, with
// node_modules installed and with the lockfile alone.
func BenchmarkScan(b *testing.B) {
	installed, lockOnly := benchApps(b)
	for _, bc := range []struct{ name, dir string }{{"installed", installed}, {"lockfile-only", lockOnly}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				inv, err := Scan(bc.dir)
				if err != nil {
					b.Fatal(err)
				}
				n = len(inv.Components)
			}
			b.ReportMetric(float64(n), "components")
		})
	}
}

// BenchmarkScanV1Installed is the costly case: a v1 lockfile carries no
// licences, so the package.json of every installed package is read. The
// v1 lockfile is written by npm from the benchmark app's, beside a link to
// its node_modules.
func BenchmarkScanV1Installed(b *testing.B) {
	installed, _ := benchApps(b)
	dir := filepath.Join(filepath.Dir(installed), "bench-node-app-v1")
	if _, err := os.Stat(filepath.Join(dir, "package-lock.json")); err != nil {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			b.Fatal(err)
		}
		for _, f := range []string{"package.json", "package-lock.json"} {
			data, err := os.ReadFile(filepath.Join(installed, f))
			if err != nil {
				b.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, f), data, 0o644); err != nil {
				b.Fatal(err)
			}
		}
		cmd := exec.Command("npm", "install", "--package-lock-only", "--lockfile-version", "1", "--ignore-scripts", "--no-audit", "--no-fund")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			os.Remove(filepath.Join(dir, "package-lock.json"))
			b.Fatalf("npm could not write a v1 lockfile: %v\n%s", err, out)
		}
		if err := os.Symlink(filepath.Join(installed, "node_modules"), filepath.Join(dir, "node_modules")); err != nil && !os.IsExist(err) {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	licensed := 0
	for b.Loop() {
		inv, err := Scan(dir)
		if err != nil {
			b.Fatal(err)
		}
		licensed = 0
		for _, c := range inv.Components {
			if len(c.Licenses) > 0 {
				licensed++
			}
		}
	}
	b.ReportMetric(float64(licensed), "licensed")
}

// BenchmarkPackageLockVsScalibr compares Runway's package-lock parser
// (graph, direct, dev, licences included) with osv-scalibr's extractor
// (names, versions and groups only) on the benchmark app's lockfile.
func BenchmarkPackageLockVsScalibr(b *testing.B) {
	data, err := os.ReadFile(filepath.Join("testdata", "bench", "package-lock.json"))
	if err != nil {
		b.Fatal(err)
	}
	b.Run("runway", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			g, err := parsePackageLock(data, "package-lock.json", appDir{})
			if err != nil {
				b.Fatal(err)
			}
			g.components()
		}
	})
	b.Run("scalibr", func(b *testing.B) {
		ex, err := packagelockjson.New(nil)
		if err != nil {
			b.Fatal(err)
		}
		fsys := scalibrfs.DirFS(filepath.Join("testdata", "bench"))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := ex.Extract(context.Background(), &filesystem.ScanInput{Path: "package-lock.json", Reader: bytes.NewReader(data), FS: fsys}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
