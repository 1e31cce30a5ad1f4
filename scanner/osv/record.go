package osv

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ossf/osv-schema/bindings/go/osvschema"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/structpb"
)

// MaxRecordSize bounds one OSV record. The largest real advisories (long
// version lists, Linux kernel CVEs) are a few megabytes.
const MaxRecordSize = 16 << 20

// Record is what the database keeps of an OSV advisory: enough to match a
// package version, rate the advisory and explain it. Details, references
// and credits are dropped; the advisory's ID leads to them.
type Record struct {
	ID      string   `json:"id"`
	Aliases []string `json:"aliases,omitempty"`
	// Summary is the advisory's one-line summary, or the first sentence of
	// its details when it has none.
	Summary  string    `json:"summary,omitempty"`
	Modified time.Time `json:"modified"`
	// Withdrawn is set when the advisory was retracted; a withdrawn record
	// is kept (so a re-import replaces it) but never matches.
	Withdrawn time.Time  `json:"withdrawn,omitzero"`
	Severity  []Severity `json:"severity,omitempty"`
	// DatabaseSeverity is the database's own rating (GitHub's
	// database_specific.severity: CRITICAL, HIGH, MODERATE, LOW).
	DatabaseSeverity string `json:"database_severity,omitempty"`
	// Affected lists the packages the advisory affects. Records returned by
	// a lookup hold only the entries of the package looked up.
	Affected []Affected `json:"affected"`
}

// Affected is one affected package with its ranges and listed versions.
type Affected struct {
	Ecosystem        string     `json:"ecosystem"`
	Name             string     `json:"name"`
	Ranges           []Range    `json:"ranges,omitempty"`
	Versions         []string   `json:"versions,omitempty"`
	Severity         []Severity `json:"severity,omitempty"`
	DatabaseSeverity string     `json:"database_severity,omitempty"`
}

// Range is a range of affected versions: SEMVER, ECOSYSTEM or GIT.
type Range struct {
	Type   string  `json:"type"`
	Events []Event `json:"events"`
}

// Event is one OSV range event; exactly one field is set.
type Event struct {
	Introduced   string `json:"introduced,omitempty"`
	Fixed        string `json:"fixed,omitempty"`
	LastAffected string `json:"last_affected,omitempty"`
	Limit        string `json:"limit,omitempty"`
}

// Severity is a score: a CVSS vector (CVSS_V2, CVSS_V3, CVSS_V4) or a
// database's own scale (Ubuntu).
type Severity struct {
	Type  string `json:"type"`
	Score string `json:"score"`
}

// IsWithdrawn reports whether the advisory was retracted.
func (r *Record) IsWithdrawn() bool { return !r.Withdrawn.IsZero() }

var unmarshal = protojson.UnmarshalOptions{DiscardUnknown: true}

// ParseRecord reads one OSV record in the JSON form of the OSV schema, with
// the schema's maintained Go model (github.com/ossf/osv-schema/bindings/go).
// Fields Runway does not know are ignored; a record without an ID or with
// a malformed field is an error.
func ParseRecord(data []byte) (*Record, error) {
	if len(data) > MaxRecordSize {
		return nil, fmt.Errorf("parse OSV record: %d bytes is more than the limit of %d", len(data), MaxRecordSize)
	}
	var v osvschema.Vulnerability
	if err := unmarshal.Unmarshal(data, &v); err != nil {
		return nil, fmt.Errorf("parse OSV record: %w", err)
	}
	if strings.TrimSpace(v.GetId()) == "" {
		return nil, fmt.Errorf("parse OSV record: it has no id")
	}
	return fromSchema(&v), nil
}

func fromSchema(v *osvschema.Vulnerability) *Record {
	r := &Record{
		ID:               v.GetId(),
		Aliases:          v.GetAliases(),
		Summary:          summaryOf(v.GetSummary(), v.GetDetails()),
		Severity:         severities(v.GetSeverity()),
		DatabaseSeverity: stringField(v.GetDatabaseSpecific(), "severity"),
	}
	if ts := v.GetModified(); ts != nil {
		r.Modified = ts.AsTime().UTC()
	}
	if ts := v.GetWithdrawn(); ts != nil {
		r.Withdrawn = ts.AsTime().UTC()
	}
	for _, a := range v.GetAffected() {
		pkg := a.GetPackage()
		if pkg.GetEcosystem() == "" || pkg.GetName() == "" {
			continue // a GIT-only entry: no package to match
		}
		aff := Affected{
			Ecosystem:        pkg.GetEcosystem(),
			Name:             pkg.GetName(),
			Versions:         a.GetVersions(),
			Severity:         severities(a.GetSeverity()),
			DatabaseSeverity: stringField(a.GetDatabaseSpecific(), "severity"),
		}
		if aff.DatabaseSeverity == "" {
			aff.DatabaseSeverity = stringField(a.GetEcosystemSpecific(), "severity")
		}
		for _, rg := range a.GetRanges() {
			aff.Ranges = append(aff.Ranges, rangeOf(rg))
		}
		r.Affected = append(r.Affected, aff)
	}
	return r
}

func rangeOf(rg *osvschema.Range) Range {
	out := Range{Type: rg.GetType().String()}
	for _, e := range rg.GetEvents() {
		out.Events = append(out.Events, Event{
			Introduced:   e.GetIntroduced(),
			Fixed:        e.GetFixed(),
			LastAffected: e.GetLastAffected(),
			Limit:        e.GetLimit(),
		})
	}
	return out
}

func severities(in []*osvschema.Severity) []Severity {
	var out []Severity
	for _, s := range in {
		if s.GetScore() != "" {
			out = append(out, Severity{Type: s.GetType().String(), Score: s.GetScore()})
		}
	}
	return out
}

// stringField returns a string field of a free-form JSON object, or "".
func stringField(s *structpb.Struct, key string) string {
	if s == nil {
		return ""
	}
	return s.GetFields()[key].GetStringValue()
}

// summaryOf returns the summary, or else the first sentence of the
// details, on one line and at most 200 characters.
func summaryOf(summary, details string) string {
	s := strings.TrimSpace(summary)
	if s == "" {
		s = strings.TrimSpace(details)
		if i := strings.Index(s, ". "); i > 0 {
			s = s[:i]
		}
	}
	s = strings.TrimSuffix(strings.Join(strings.Fields(s), " "), ".")
	if len(s) > 200 {
		cut := 197
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "..."
	}
	return s
}

// forEcosystem returns a copy of r holding only the affected entries of the
// ecosystem, or nil when it affects nothing there.
func (r *Record) forEcosystem(ecosystem string) *Record {
	var aff []Affected
	for _, a := range r.Affected {
		if a.Ecosystem == ecosystem {
			aff = append(aff, a)
		}
	}
	if len(aff) == 0 {
		return nil
	}
	c := *r
	c.Affected = aff
	return &c
}

// ecosystems lists the ecosystems r affects, each once, in order.
func (r *Record) ecosystems() []string {
	var out []string
	seen := map[string]bool{}
	for _, a := range r.Affected {
		if !seen[a.Ecosystem] {
			seen[a.Ecosystem] = true
			out = append(out, a.Ecosystem)
		}
	}
	return out
}
