package sbom

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/runwayhq/runway"
)

// benchInventory is the inventory of the benchmark app of the inventory
// package (274 npm packages; written by `go run bench/sbomrss.go
// -dump-inventory`). Whether node_modules is installed does not change it:
// the lockfile carries the licences.
func benchInventory(b *testing.B) *runway.Inventory {
	b.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "bench-inventory.json"))
	if err != nil {
		b.Fatal(err)
	}
	var inv runway.Inventory
	if err := json.Unmarshal(data, &inv); err != nil {
		b.Fatal(err)
	}
	return &inv
}

// BenchmarkSBOM writes both SBOMs of the benchmark app to disk, as the
// check does.
func BenchmarkSBOM(b *testing.B) {
	inv := benchInventory(b)
	dir := b.TempDir()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Write(dir, App{Name: "bench"}, inv, testOpts); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(inv.Components)), "components")
}

// BenchmarkFormats splits the cost between the two formats.
func BenchmarkFormats(b *testing.B) {
	inv := benchInventory(b)
	b.Run("cyclonedx", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := WriteCycloneDX(io.Discard, App{Name: "bench"}, inv, testOpts); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("spdx", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := WriteSPDX(io.Discard, App{Name: "bench"}, inv, testOpts); err != nil {
				b.Fatal(err)
			}
		}
	})
}
