package sast

import (
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
)

// fuzzLanguages are the languages FuzzAnalyze picks from.
var fuzzLanguages = []string{langJavaScript, langTypeScript, langTSX, langPython}

// FuzzAnalyze: any source in any language is analysed without a panic,
// and every hit names a rule and a line inside the file.
func FuzzAnalyze(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "*", "*", "*.*"))
	for _, s := range seeds {
		lang := languageOf(s)
		if lang == "" || lang == langGo {
			continue
		}
		data, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(uint8(slicesIndex(fuzzLanguages, lang)), data)
	}
	f.Add(uint8(0), []byte("eval(req.query.a"))
	f.Add(uint8(3), []byte("def f(:\n  eval(request.args['x']"))
	f.Add(uint8(0), []byte(strings.Repeat("(", 5000)+"req.query.x"+strings.Repeat(")", 5000)))
	f.Add(uint8(3), []byte("x = "+strings.Repeat("a + ", 3000)+"request.args['x']\neval(x)\n"))
	w := newWorker()
	f.Cleanup(w.Close)
	f.Fuzz(func(t *testing.T, which uint8, src []byte) {
		lang := fuzzLanguages[int(which)%len(fuzzLanguages)]
		hits, err := w.analyze(lang, "fuzz", src)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Count(string(src), "\n") + 1
		for _, h := range hits {
			if h.rule == nil || h.line < 1 || h.line > lines || h.message == "" {
				t.Errorf("bad hit %+v", h)
			}
		}
	})
}

func slicesIndex(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return 0
}

// FuzzNPMScripts: any package.json gives scripts or nothing, never a panic,
// and lines stay inside the file.
func FuzzNPMScripts(f *testing.F) {
	f.Add([]byte("{\n  \"scripts\": {\n    \"start\": \"NODE_TLS_REJECT_UNAUTHORIZED=0 node app.js\"\n  }\n}\n"))
	f.Add([]byte(`{"name":"x","dependencies":{"a":"1"},"scripts":{"t":["x"],"u":{"v":1},"w":"x"}}`))
	f.Add([]byte(`{"scripts":`))
	f.Add([]byte(`[1,2]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		lines := strings.Count(string(data), "\n") + 1
		for _, s := range npmScripts(data) {
			if s.line < 1 || s.line > lines {
				t.Errorf("script %q on line %d of %d", s.name, s.line, lines)
			}
		}
	})
}

// TestNoMemoryLeak: tree-sitter trees, cursors and parsers live in C
// memory; analysing a file many times must not grow the process. A tree
// that was not closed leaks tens of kilobytes per run, which thousands of
// runs make obvious.
func TestNoMemoryLeak(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("testdata", "javascript", "xss", "bad.js"))
	if err != nil {
		t.Fatal(err)
	}
	src = []byte(strings.Repeat(string(src), 4))
	once := func(n int) {
		for range n {
			w := newWorker()
			if _, err := w.analyze(langJavaScript, "bad.js", src); err != nil {
				t.Fatal(err)
			}
			w.Close()
		}
	}
	once(200)
	before := rss(t)
	once(2000)
	after := rss(t)
	if grown := after - before; grown > 32<<20 {
		t.Errorf("resident memory grew by %d MiB over 2000 runs: something is not closed", grown>>20)
	}
}

// rss returns the process's resident memory in bytes, after a GC.
func rss(t *testing.T) int64 {
	t.Helper()
	runtime.GC()
	debug.FreeOSMemory()
	data, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		t.Skipf("cannot read memory use here: %v", err)
	}
	fields := strings.Fields(string(data))
	pages, _ := strconv.ParseInt(fields[1], 10, 64)
	return pages * int64(os.Getpagesize())
}
