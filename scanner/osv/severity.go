package osv

import (
	"fmt"
	"strings"

	gocvss20 "github.com/pandatix/go-cvss/20"
	gocvss30 "github.com/pandatix/go-cvss/30"
	gocvss31 "github.com/pandatix/go-cvss/31"
	gocvss40 "github.com/pandatix/go-cvss/40"

	"github.com/runwayhq/runway"
)

// Rating is how severe an advisory is and where that came from.
type Rating struct {
	Severity runway.Severity
	// Score is the CVSS base score, 0 when none could be computed.
	Score float64
	// Source says what the rating rests on, in plain words: "CVSS 3.1
	// base score 7.5", "rated high by the database", "no rating published".
	Source string
}

// Rate rates an advisory for one affected package: the highest CVSS base
// score among its vectors (v4.0, v3.x, v2; the package's own and the
// record's), else the database's own severity field, else medium.
// Thresholds are CVSS's: critical ≥ 9, high ≥ 7, medium ≥ 4, low > 0.
// An advisory with no rating at all counts as medium: unknown is not safe,
// and not yet alarming.
func Rate(r *Record, a *Affected) Rating {
	var best Rating
	for _, s := range append(append([]Severity{}, a.Severity...), r.Severity...) {
		score, label, err := cvssScore(s)
		if err == nil && score > best.Score {
			best = Rating{Severity: cvssSeverity(score, s.Type), Score: score, Source: fmt.Sprintf("%s base score %.1f", label, score)}
		}
	}
	if best.Severity != "" {
		return best
	}
	for _, field := range []string{a.DatabaseSeverity, r.DatabaseSeverity} {
		if sev, ok := databaseSeverity(field); ok {
			return Rating{Severity: sev, Source: fmt.Sprintf("rated %s by the advisory database", strings.ToLower(field))}
		}
	}
	for _, s := range append(append([]Severity{}, a.Severity...), r.Severity...) {
		if s.Type == "Ubuntu" {
			if sev, ok := databaseSeverity(s.Score); ok {
				return Rating{Severity: sev, Source: fmt.Sprintf("rated %s by Ubuntu", strings.ToLower(s.Score))}
			}
		}
	}
	return Rating{Severity: runway.SeverityMedium, Source: "no severity published, so Runway assumes medium"}
}

// cvssScore computes the base score of a CVSS vector.
func cvssScore(s Severity) (float64, string, error) {
	switch {
	case strings.HasPrefix(s.Score, "CVSS:4.0/"):
		c, err := gocvss40.ParseVector(s.Score)
		if err != nil {
			return 0, "", err
		}
		return c.Score(), "CVSS 4.0", nil
	case strings.HasPrefix(s.Score, "CVSS:3.1/"):
		c, err := gocvss31.ParseVector(s.Score)
		if err != nil {
			return 0, "", err
		}
		return c.BaseScore(), "CVSS 3.1", nil
	case strings.HasPrefix(s.Score, "CVSS:3.0/"):
		c, err := gocvss30.ParseVector(s.Score)
		if err != nil {
			return 0, "", err
		}
		return c.BaseScore(), "CVSS 3.0", nil
	case s.Type == "CVSS_V2":
		c, err := gocvss20.ParseVector(strings.TrimPrefix(s.Score, "CVSS:2.0/"))
		if err != nil {
			return 0, "", err
		}
		return c.BaseScore(), "CVSS 2.0", nil
	}
	return 0, "", fmt.Errorf("severity %s %q is not a CVSS vector", s.Type, s.Score)
}

// cvssSeverity maps a base score to a severity. CVSS v2 has no "critical":
// its top band is high.
func cvssSeverity(score float64, typ string) runway.Severity {
	switch {
	case score >= 9 && typ != "CVSS_V2":
		return runway.SeverityCritical
	case score >= 7:
		return runway.SeverityHigh
	case score >= 4:
		return runway.SeverityMedium
	case score > 0:
		return runway.SeverityLow
	default:
		return runway.SeverityInfo
	}
}

// databaseSeverity reads a database's own scale: GitHub's CRITICAL, HIGH,
// MODERATE, LOW and Ubuntu's priorities.
func databaseSeverity(s string) (runway.Severity, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "critical":
		return runway.SeverityCritical, true
	case "high":
		return runway.SeverityHigh, true
	case "moderate", "medium":
		return runway.SeverityMedium, true
	case "low", "negligible":
		return runway.SeverityLow, true
	}
	return "", false
}
