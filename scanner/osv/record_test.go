package osv

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func readAdvisory(t testing.TB, id string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "advisories", id+".json"))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestParseRecord(t *testing.T) {
	t.Parallel()
	r, err := ParseRecord(readAdvisory(t, "GHSA-p6mc-m468-83gw"))
	if err != nil {
		t.Fatal(err)
	}
	want := &Record{
		ID:               "GHSA-p6mc-m468-83gw",
		Aliases:          []string{"CVE-2020-8203"},
		Summary:          "Prototype Pollution in lodash",
		Modified:         time.Date(2024, 2, 12, 17, 6, 26, 0, time.UTC),
		Severity:         []Severity{{Type: "CVSS_V3", Score: "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:H"}},
		DatabaseSeverity: "HIGH",
		Affected: []Affected{
			{Ecosystem: "npm", Name: "lodash", Ranges: []Range{{Type: "ECOSYSTEM", Events: []Event{{Introduced: "3.7.0"}, {Fixed: "4.17.19"}}}}},
			{Ecosystem: "npm", Name: "lodash-es", Ranges: []Range{{Type: "ECOSYSTEM", Events: []Event{{Introduced: "3.7.0"}, {Fixed: "4.17.20"}}}}},
		},
	}
	if diff := cmp.Diff(want, r); diff != "" {
		t.Errorf("record (-want +got):\n%s", diff)
	}
}

func TestParseRecordKinds(t *testing.T) {
	t.Parallel()
	withdrawn, err := ParseRecord(readAdvisory(t, "GHSA-9v8m-2x6c-h6vj"))
	if err != nil || !withdrawn.IsWithdrawn() {
		t.Errorf("withdrawn record: %v, withdrawn=%v", err, withdrawn != nil && withdrawn.IsWithdrawn())
	}
	noSummary, err := ParseRecord(readAdvisory(t, "PYSEC-2021-19"))
	if err != nil || noSummary.Summary != "An XSS vulnerability was discovered in the python lxml clean module versions before 4.6.3" {
		t.Errorf("summary from details: %v %q", err, noSummary.Summary)
	}
	goRec, err := ParseRecord(readAdvisory(t, "GO-2023-2102"))
	if err != nil || len(goRec.Affected) != 2 || goRec.Affected[1].Ranges[0].Type != rangeSemver {
		t.Errorf("Go record: %v %+v", err, goRec)
	}
	// Unknown fields and enum values of newer schema versions are ignored.
	future := `{"id": "X-1", "modified": "2024-01-01T00:00:00Z", "new_field": {"a": 1},
		"severity": [{"type": "CVSS_V9", "score": "x"}],
		"affected": [{"package": {"ecosystem": "npm", "name": "a"}, "ranges": [{"type": "FUTURE", "events": [{"introduced": "0"}]}]}]}`
	if _, err := ParseRecord([]byte(future)); err != nil {
		t.Errorf("a record of a newer schema version: %v", err)
	}
}

func TestParseRecordErrors(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"not JSON":         "GHSA-",
		"no id":            `{"modified": "2024-01-01T00:00:00Z", "affected": []}`,
		"wrong type":       `{"id": "X-1", "aliases": "CVE-1"}`,
		"bad timestamp":    `{"id": "X-1", "modified": "yesterday"}`,
		"array of records": `[{"id": "X-1"}]`,
		"too large":        `{"id": "X-1", "details": "` + strings.Repeat("a", MaxRecordSize) + `"}`,
	}
	for name, data := range tests {
		if _, err := ParseRecord([]byte(data)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestSummaryOf(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é", 150)
	tests := []struct{ summary, details, want string }{
		{"Prototype pollution.", "", "Prototype pollution"},
		{"", "First sentence. Second one.", "First sentence"},
		{"  spread\n over   lines ", "", "spread over lines"},
		{long, "", long[:196] + "..."},
		{"", "", ""},
	}
	for _, tt := range tests {
		if got := summaryOf(tt.summary, tt.details); got != tt.want {
			t.Errorf("summaryOf(%q, %q) = %q, want %q", tt.summary, tt.details, got, tt.want)
		}
	}
}

// FuzzParseRecord feeds arbitrary bytes to the parser: it must return a
// record or an error, never panic, and a parsed record must survive the
// database's own encoding.
func FuzzParseRecord(f *testing.F) {
	entries, _ := os.ReadDir(filepath.Join("testdata", "advisories"))
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join("testdata", "advisories", e.Name()))
		if err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte(`{"id": "X", "affected": [{"package": {"ecosystem": "npm", "name": "a"}, "ranges": [{"type": "SEMVER", "events": [{"limit": "*"}]}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ParseRecord(data)
		if err != nil {
			return
		}
		if r.ID == "" {
			t.Fatal("a record without an ID was accepted")
		}
		enc, err := json.Marshal(r)
		if err != nil {
			t.Fatalf("encode: %v", err)
		}
		var back Record
		if err := json.Unmarshal(enc, &back); err != nil {
			t.Fatalf("decode: %v", err)
		}
		for i := range r.Affected {
			r.Affected[i].Affects("1.0.0")
		}
	})
}
