package sast

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/runwaytest"
)

// TestSARIFGolden reads real-shaped output of Semgrep, CodeQL and ESLint.
func TestSARIFGolden(t *testing.T) {
	for _, name := range []string{"semgrep", "codeql", "eslint"} {
		t.Run(name, func(t *testing.T) {
			fs, err := ReadSARIF(filepath.Join("testdata", "sarif", name+".sarif"), "/work/app", 0)
			if err != nil {
				t.Fatal(err)
			}
			if len(fs) == 0 {
				t.Fatal("no findings")
			}
			out, err := json.MarshalIndent(fs, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(out), "ghp_abcdefghijklmnopqrstuvwxyz0123456789") {
				t.Error("a token quoted by the tool reached the findings")
			}
			runwaytest.Golden(t, filepath.Join("testdata", "sarif", name+".golden.json"), append(out, '\n'))
		})
	}
}

func TestSARIFErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name, path string
		max        int64
		want       string
	}{
		{"missing", filepath.Join(dir, "nope.sarif"), 0, "cannot open the SARIF file"},
		{"not JSON", write("bad.sarif", "<xml/>"), 0, "bad.sarif is not valid SARIF (it must be a SARIF 2.1.0 JSON file)"},
		{"old version", write("old.sarif", `{"version":"1.0.0","runs":[]}`), 0, `old.sarif is SARIF version "1.0.0"; Runway reads SARIF 2.1.0`},
		{"too large", write("big.sarif", `{"version":"2.1.0","runs":[]}`+strings.Repeat(" ", 2048)), 1024, "big.sarif is larger than 1 KiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadSARIF(tt.path, dir, tt.max)
			var e *runway.Error
			if !errors.As(err, &e) || e.Code != runway.EINVALID || !strings.Contains(e.Message, tt.want) {
				t.Errorf("got %v, want EINVALID containing %q", err, tt.want)
			}
		})
	}
}

func TestSARIFEmptyRuns(t *testing.T) {
	fs, err := parseSARIF([]byte(`{"version":"2.1.0","runs":[null,{"results":[null,{}]}]}`), "x.sarif", "/app")
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 1 || fs[0].Rule != "sarif/unknown-rule" {
		t.Errorf("got %+v, want one finding of an unknown rule", fs)
	}
}

// FuzzParseSARIF: any input gives findings or an error, never a panic,
// and findings always name a rule.
func FuzzParseSARIF(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "sarif", "*.sarif"))
	for _, s := range seeds {
		data, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"version":"2.1.0","runs":[{"tool":{"driver":{"rules":[null]}},"results":[{"ruleIndex":-1,"locations":[null,{"physicalLocation":{"region":{"startLine":-4}}}]}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		fs, err := parseSARIF(data, "fuzz.sarif", "/app")
		if err != nil {
			return
		}
		for _, fd := range fs {
			if fd.Rule == "" || fd.ID == "" || fd.Line < 0 || fd.Column < 0 {
				t.Errorf("bad finding %+v", fd)
			}
		}
	})
}
