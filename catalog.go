package runway

import (
	"context"
	"encoding/json"
	"time"
)

// Team owns apps. Its Name is the `owner` a manifest gives.
type Team struct {
	ID          int64     `json:"id"`
	Name        string    `json:"name"`
	DisplayName string    `json:"display_name"`
	CreatedAt   time.Time `json:"created_at"`
}

// App is a micro app registered with the platform from its manifest.
type App struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Team      string    `json:"team"`
	Manifest  Manifest  `json:"manifest"`
	Tier      Tier      `json:"tier"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Candidate is one submitted build of an app: the check report the client
// sent, the digest of its source, and the decision the server made on it
// with its own policies (never the client's).
type Candidate struct {
	ID           int64    `json:"id"`
	App          string   `json:"app"`
	Number       int      `json:"number"` // 1, 2, ... per app
	SourceDigest string   `json:"source_digest"`
	Decision     Decision `json:"decision"`
	Tier         Tier     `json:"tier"`
	SubmittedBy  string   `json:"submitted_by"`
	// Findings counts the report's findings: listed with every candidate,
	// it is the app's findings history.
	Findings FindingCounts `json:"findings"`
	Report   *Report       `json:"report"`
	// Inventory is the dependency inventory the SBOM was made from; like
	// the report, it is left out of lists.
	Inventory *Inventory `json:"inventory,omitempty"`
	// SBOMs are the SBOM files as submitted; never in JSON answers (they
	// are served on their own).
	SBOMs SBOMFiles `json:"-"`
	// Source is the source archive as submitted (stored once per digest,
	// never in JSON answers); nil when the client sent none.
	Source []byte `json:"-"`
	// HasSource says whether the platform holds the candidate's source.
	HasSource bool      `json:"has_source"`
	CreatedAt time.Time `json:"created_at"`
}

// FindingCounts counts a report's open (not accepted) findings.
type FindingCounts struct {
	Total      int                 `json:"total"`
	Blocking   int                 `json:"blocking"`
	Accepted   int                 `json:"accepted"`
	ByKind     map[FindingKind]int `json:"by_kind"`
	BySeverity map[Severity]int    `json:"by_severity"`
}

// CountFindings counts a report's findings.
func CountFindings(r *Report) FindingCounts {
	c := FindingCounts{ByKind: map[FindingKind]int{}, BySeverity: map[Severity]int{}}
	if r == nil {
		return c
	}
	for _, f := range r.Findings {
		if f.Suppression != nil {
			c.Accepted++
			continue
		}
		c.Total++
		c.ByKind[f.Kind]++
		c.BySeverity[f.Severity]++
		if f.Blocking {
			c.Blocking++
		}
	}
	return c
}

// SBOMFiles are a candidate's SBOMs as the check wrote them.
type SBOMFiles struct {
	CycloneDX json.RawMessage `json:"cyclonedx,omitempty"`
	SPDX      json.RawMessage `json:"spdx,omitempty"`
}

// SBOM formats.
const (
	SBOMCycloneDX = "cyclonedx"
	SBOMSPDX      = "spdx"
)

// Page asks for one page of a list: at most Limit items after the cursor
// After (an ID; 0 starts at the beginning).
type Page struct {
	After int64
	Limit int
}

// AppFilter narrows a list of apps. Zero fields do not filter.
type AppFilter struct {
	Team   string
	Tier   Tier
	Search string // a substring of the name
	Page
}

// CandidateFilter narrows a list of candidates. Zero fields do not filter.
type CandidateFilter struct {
	App      string
	Decision Decision
	Page
}

// TeamStore keeps teams. Every change is audited in the same transaction.
type TeamStore interface {
	// CreateTeam adds a team; ECONFLICT when the name is taken, EINVALID
	// for a bad name.
	CreateTeam(ctx context.Context, t *Team) error
	// FindTeam returns a team by name; ENOTFOUND when there is none.
	FindTeam(ctx context.Context, name string) (*Team, error)
	// FindTeams lists teams by name.
	FindTeams(ctx context.Context, p Page) ([]*Team, error)
}

// AppStore keeps the app catalog. Every change is audited in the same
// transaction.
type AppStore interface {
	// CreateApp registers an app; ECONFLICT when the name is taken,
	// ENOTFOUND when its team does not exist.
	CreateApp(ctx context.Context, a *App) error
	// UpdateApp replaces an app's manifest, team and tier; ENOTFOUND when
	// the app does not exist.
	UpdateApp(ctx context.Context, a *App) error
	// FindApp returns an app by name; ENOTFOUND when there is none.
	FindApp(ctx context.Context, name string) (*App, error)
	// FindApps lists apps matching the filter, ordered by ID.
	FindApps(ctx context.Context, f AppFilter) ([]*App, error)
}

// CandidateStore keeps release candidates. Every change is audited in the
// same transaction.
type CandidateStore interface {
	// CreateCandidate records a candidate and gives it the app's next
	// number; ENOTFOUND when the app does not exist.
	CreateCandidate(ctx context.Context, c *Candidate) error
	// FindCandidate returns a candidate by app and number; ENOTFOUND when
	// there is none.
	FindCandidate(ctx context.Context, app string, number int) (*Candidate, error)
	// FindSource returns the source archive with the digest; ENOTFOUND
	// when the platform holds none.
	FindSource(ctx context.Context, digest string) ([]byte, error)
	// FindSBOM returns a candidate's SBOM in format (SBOMCycloneDX or
	// SBOMSPDX); ENOTFOUND when the candidate or that SBOM is missing.
	FindSBOM(ctx context.Context, app string, number int, format string) ([]byte, error)
	// FindCandidates lists candidates matching the filter, newest first.
	// Listed candidates carry no report (fetch one for it).
	FindCandidates(ctx context.Context, f CandidateFilter) ([]*Candidate, error)
}
