//go:build ignore

// Command sbomrss lists an app's dependencies and writes both SBOMs, as
// the sbom check does, and reports the time taken and the process's peak
// memory (max RSS). bench/sbom.sh runs it beside syft.
//
//	go run bench/sbomrss.go -dir APP [-n RUNS] [-dump-inventory FILE]
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/runwayhq/runway/scanner/inventory"
	"github.com/runwayhq/runway/scanner/sbom"
)

func main() {
	dir := flag.String("dir", ".", "the app's folder")
	runs := flag.Int("n", 1, "how many times to scan and write")
	dump := flag.String("dump-inventory", "", "also write the inventory as JSON to this file")
	flag.Parse()
	out, err := os.MkdirTemp("", "sbomrss")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(out)
	start := time.Now()
	components := 0
	for range *runs {
		inv, err := inventory.Scan(*dir)
		if err != nil {
			log.Fatal(err)
		}
		files, err := sbom.Write(out, sbom.App{Name: filepath.Base(*dir)}, inv, sbom.Options{Version: "bench"})
		if err != nil {
			log.Fatal(err)
		}
		components = files.Components
		if *dump != "" {
			data, err := json.MarshalIndent(inv, "", "  ")
			if err != nil {
				log.Fatal(err)
			}
			if err := os.WriteFile(*dump, append(data, '\n'), 0o644); err != nil {
				log.Fatal(err)
			}
		}
	}
	elapsed := time.Since(start)
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("components=%d runs=%d ms_per_run=%.2f max_rss_kb=%d\n", components, *runs, float64(elapsed.Microseconds())/1000/float64(*runs), ru.Maxrss)
}
