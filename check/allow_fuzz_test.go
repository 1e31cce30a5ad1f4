package check

import (
	"errors"
	"testing"
	"time"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/yamlfile"
)

// FuzzAllowFile feeds arbitrary runway.allow.yaml content: it must never
// panic, and it accepts entries only when it reports no problems.
func FuzzAllowFile(f *testing.F) {
	f.Add([]byte("allow:\n  - id: aaaaaaaaaaaaaaaa\n    reason: Rotated on 2026-11-01; the old key is dead.\n    expires: 2026-12-31\n"))
	f.Add([]byte("allow: []\n"))
	f.Add([]byte("allow:\n  - id: 1\n"))
	now := time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := yamlfile.Parse(AllowFile, data, yamlfile.DefaultLimits)
		var ye *yamlfile.Error
		if err != nil {
			if !errors.As(err, &ye) {
				t.Fatalf("parse error of type %T: %v", err, err)
			}
			return
		}
		entries, problems, err := allowFromDocument(doc, now)
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		if len(entries) > 0 && len(problems) > 0 {
			t.Fatal("entries accepted from a file with problems")
		}
		for _, e := range entries {
			if e.Reason == "" || !e.last.After(now.AddDate(-100, 0, 0)) {
				t.Fatalf("entry without a reason or a valid expiry: %+v", e)
			}
		}
	})
}

// FuzzInlineAllow: any line, however hostile, yields at most one verdict
// and never a suppression without a reason.
func FuzzInlineAllow(f *testing.F) {
	f.Add("const a = 1; // runway:allow secret -- fixture")
	f.Add("# runway:allow py/pickle --")
	f.Add("<!-- runway:allow html/xss -- static text -->")
	f.Fuzz(func(t *testing.T, line string) {
		l := &fileLines{cache: map[string][]string{"x.js": {line}}}
		s, bad := l.inline(&runway.Finding{File: "x.js", Line: 1, Kind: runway.KindSecret, Rule: "r"})
		if s != nil && (s.Reason == "" || bad != "") {
			t.Fatalf("suppression %+v with bad %q", s, bad)
		}
	})
}
