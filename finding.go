package runway

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// Finding is one thing a check found: a manifest mistake, a failing test, a
// leaked key, a vulnerable package. Fix is written for a non-developer.
type Finding struct {
	// ID is a stable fingerprint: the same problem in the same place keeps
	// its ID from run to run, so it can be suppressed or tracked.
	ID       string      `json:"id"`
	Check    string      `json:"check"`
	Kind     FindingKind `json:"kind"`
	Severity Severity    `json:"severity"`
	Title    string      `json:"title"`
	Message  string      `json:"message"`
	// File is relative to the app's root folder, with forward slashes.
	File   string `json:"file"`
	Line   int    `json:"line"`
	Column int    `json:"column,omitempty"`
	// Commit, when set, is the commit the finding was seen in: File and
	// Line then refer to that commit, not to the working tree.
	Commit   string    `json:"commit,omitempty"`
	Rule     string    `json:"rule"`
	Advisory *Advisory `json:"advisory"`
	Package  *Package  `json:"package"`
	Fix      string    `json:"fix"`
	Blocking bool      `json:"blocking"`
	// Suppression, when set, records why the finding is accepted; a
	// suppressed finding never blocks.
	Suppression *Suppression `json:"suppression,omitempty"`
}

// Suppression is an accepted finding: who accepted it, why, and until when.
type Suppression struct {
	// Source is where it was accepted: "runway.allow.yaml" or the file and
	// line of an inline `runway:allow` comment.
	Source string `json:"source"`
	Reason string `json:"reason"`
	// Expires is the last day it applies (YYYY-MM-DD); empty for inline
	// comments, which live with the code they excuse.
	Expires string `json:"expires,omitempty"`
}

// Advisory identifies a published vulnerability.
type Advisory struct {
	ID      string   `json:"id"`
	Aliases []string `json:"aliases"`
}

// Package identifies a dependency and the version that fixes a finding.
type Package struct {
	Ecosystem string `json:"ecosystem"`
	Name      string `json:"name"`
	Version   string `json:"version"`
	Fixed     string `json:"fixed,omitempty"`
}

// FindingKind says which family a finding belongs to.
type FindingKind string

// Finding kinds.
const (
	KindManifest      FindingKind = "manifest"
	KindBuild         FindingKind = "build"
	KindLint          FindingKind = "lint"
	KindTest          FindingKind = "test"
	KindSecret        FindingKind = "secret"
	KindVulnerability FindingKind = "vulnerability"
	KindSAST          FindingKind = "sast"
	KindPolicy        FindingKind = "policy"
)

// FindingKinds lists the kinds of findings, in the order a person deals
// with them.
var FindingKinds = []FindingKind{KindManifest, KindBuild, KindLint, KindTest, KindSecret, KindVulnerability, KindSAST, KindPolicy}

// Severity ranks findings.
type Severity string

// Severities, most severe first.
const (
	SeverityCritical Severity = "critical"
	SeverityHigh     Severity = "high"
	SeverityMedium   Severity = "medium"
	SeverityLow      Severity = "low"
	SeverityInfo     Severity = "info"
)

// Severities lists the severities, most severe first.
var Severities = []Severity{SeverityCritical, SeverityHigh, SeverityMedium, SeverityLow, SeverityInfo}

// Rank returns 0 for critical up to 4 for info, and 5 for an unknown value,
// so that sorting by Rank puts the most severe first.
func (s Severity) Rank() int {
	for i, v := range Severities {
		if v == s {
			return i
		}
	}
	return len(Severities)
}

// FindingID returns a short stable fingerprint of the given parts.
func FindingID(parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(sum[:8])
}
