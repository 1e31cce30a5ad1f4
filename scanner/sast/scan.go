package sast

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"sync"

	"github.com/runwayhq/runway"
)

// fileHits are the hits in one file.
type fileHits struct {
	path string
	hits []hit
}

// scanSources analyses the JavaScript, TypeScript and Python files of the
// app in dir with the tree-sitter rules, one worker per CPU. A file that
// cannot be read is an error; code that does not parse is read as far as
// tree-sitter can, like an editor does.
func scanSources(parent context.Context, dir string, sources map[string][]string) ([]runway.Finding, error) {
	type job struct{ lang, path string }
	jobs := make(chan job)
	results := make(chan fileHits)
	var firstErr error
	var once sync.Once
	fail := func(err error) { once.Do(func() { firstErr = err }) }
	ctx, cancel := context.WithCancel(parent)
	defer cancel()

	var wg sync.WaitGroup
	for range max(1, runtime.NumCPU()) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := newWorker()
			defer w.Close()
			for j := range jobs {
				hits, err := w.analyzeFile(filepath.Join(dir, filepath.FromSlash(j.path)), j.lang, j.path)
				if err != nil {
					fail(err)
					cancel()
					continue
				}
				if len(hits) > 0 {
					results <- fileHits{j.path, hits}
				}
			}
		}()
	}
	go func() {
		defer close(jobs)
		for lang, list := range sources {
			for _, p := range list {
				select {
				case jobs <- job{lang, p}:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	go func() {
		wg.Wait()
		close(results)
	}()
	var all []fileHits
	for r := range results {
		all = append(all, r)
	}
	if firstErr != nil {
		return nil, firstErr
	}
	if err := parent.Err(); err != nil {
		return nil, err
	}
	sort.Slice(all, func(i, j int) bool { return all[i].path < all[j].path })
	var out []runway.Finding
	for _, fh := range all {
		out = append(out, findings(fh.path, fh.hits)...)
	}
	return out, nil
}

// analyzeFile reads and analyses one file.
func (w *worker) analyzeFile(abs, lang, rel string) ([]hit, error) {
	f, err := os.Open(abs)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", rel, err)
	}
	defer f.Close()
	src, err := io.ReadAll(io.LimitReader(f, maxSourceBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", rel, err)
	}
	if len(src) > maxSourceBytes {
		return nil, nil // grew since it was listed; bundles are not scanned
	}
	return w.analyze(lang, rel, src)
}
