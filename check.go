package runway

import (
	"context"
	"io"
)

// Check is one step of the gate: lint, tests, a scanner. Checks run
// concurrently unless one Needs another.
type Check interface {
	// Name is short, lowercase and unique: "lint", "secrets".
	Name() string
	// Needs names the checks that must finish before this one starts. When
	// one of them fails, this check is skipped.
	Needs() []string
	// Run does the work. It writes what it prints to log, returns its own
	// findings, and returns early when ctx is done.
	Run(ctx context.Context, ws *Workspace, log io.Writer) CheckOutcome
}

// CheckOutcome is what a Check returns; the runner adds the name, the
// duration and the log path.
type CheckOutcome struct {
	Status   CheckStatus
	Summary  string
	Findings []Finding
	// Details are facts policy may use (the vulnerability database's age,
	// the number of files scanned), as JSON-friendly values.
	Details map[string]any
	// SBOM is set by the check that wrote the SBOM files.
	SBOM *SBOMSummary
}

// Workspace is what checks share: the app's folder, its manifest and where
// artifacts go. Checks must treat it as read-only.
type Workspace struct {
	// Dir is the app's root folder, absolute.
	Dir string
	// OutDir is where artifacts go, absolute (default Dir/.runway).
	OutDir string
	// Manifest is the parsed runway.yaml; nil when it is missing or invalid.
	Manifest *Manifest
	// Inventory returns the app's dependencies, read once before the
	// checks start and shared by every check that calls it; nil when no
	// inventory source is wired.
	Inventory func() (*Inventory, error)
}

// Decider turns a report's checks and findings into a decision, a tier, the
// risk and the approvals required. It must fail closed: an error means the
// caller blocks.
type Decider interface {
	Decide(ctx context.Context, ws *Workspace, r *Report) error
}
