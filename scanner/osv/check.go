// Package osv is Runway's dependency vulnerability scanner: an offline OSV
// database on disk (import, update from a mirror, status) and the
// "vulnerabilities" check that matches the app's inventory against it.
//
// Matching follows the OSV schema's evaluation (introduced, fixed,
// last_affected and limit events, versions lists, withdrawn records) in
// each ecosystem's own version order (osv-scalibr's semantic package).
// Checks never touch the network; only Updater does.
//
// It imports the root package and no other Runway package.
package osv

import (
	"context"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/runwayhq/runway"
)

// DefaultMaxAge is how old the database may be before the check warns.
const DefaultMaxAge = 7 * 24 * time.Hour

// Options configure the vulnerabilities check.
type Options struct {
	// DB is the database folder.
	DB string
	// MaxAge is the age past which the database counts as stale: findings
	// are still reported, with a warning. Zero means DefaultMaxAge.
	MaxAge time.Duration
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// New returns the "vulnerabilities" check.
func New(opt Options) runway.Check {
	if opt.MaxAge <= 0 {
		opt.MaxAge = DefaultMaxAge
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	return &vulnCheck{opt: opt}
}

type vulnCheck struct{ opt Options }

// Name implements runway.Check.
func (c *vulnCheck) Name() string { return "vulnerabilities" }

// Needs implements runway.Check.
func (c *vulnCheck) Needs() []string { return nil }

// Run implements runway.Check: it looks every component of the inventory
// up in the database. Findings never block by themselves; policy decides.
func (c *vulnCheck) Run(ctx context.Context, ws *runway.Workspace, log io.Writer) runway.CheckOutcome {
	if ws.Inventory == nil {
		return errorOutcome("Runway has no list of the app's dependencies here, so it cannot look for known vulnerabilities. This is a bug in how Runway was set up; please report it.")
	}
	inv, err := ws.Inventory()
	if err == nil && inv == nil {
		inv = &runway.Inventory{}
	}
	if err != nil {
		fmt.Fprintf(log, "inventory: %v\n", err)
		return errorOutcome("Runway could not list the app's dependencies, so it cannot look for known vulnerabilities: " +
			strings.TrimSuffix(runway.ErrorMessage(err), ".") + ". Fix the lockfile (for example run `npm install` and commit package-lock.json), then run `runway check` again.")
	}
	db, err := Open(c.opt.DB)
	if err != nil {
		fmt.Fprintf(log, "database: %v\n", err)
		if runway.ErrorCode(err) == runway.ENOTFOUND {
			return errorOutcome(NoDatabaseMessage)
		}
		return errorOutcome(runway.ErrorMessage(err) + ".")
	}
	defer db.Close()
	comps := mergeComponents(inv.Components)
	groups, err := c.scan(ctx, db, comps, log)
	if ctx.Err() != nil {
		return errorOutcome("Stopped before every dependency was looked up.")
	}
	if err != nil {
		fmt.Fprintf(log, "lookup: %v\n", err)
		return errorOutcome("The vulnerability database could not be read: run `runway db update` to rebuild it.")
	}
	return c.outcome(db, comps, groups)
}

func errorOutcome(summary string) runway.CheckOutcome {
	return runway.CheckOutcome{Status: runway.StatusError, Summary: summary}
}

// scan matches every component and returns the affected ones.
func (c *vulnCheck) scan(ctx context.Context, db *DB, comps []runway.Component, log io.Writer) ([]packageMatches, error) {
	var out []packageMatches
	for _, comp := range comps {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if comp.Version == "" {
			fmt.Fprintf(log, "skipped %s %s: no version\n", comp.Ecosystem, comp.Name)
			continue
		}
		ms, err := db.Matches(comp.Ecosystem, comp.Name, comp.Version)
		if err != nil {
			return nil, err
		}
		if len(ms) > 0 {
			fmt.Fprintf(log, "%s %s %s: %d advisories\n", comp.Ecosystem, comp.Name, comp.Version, len(ms))
			out = append(out, packageMatches{comp: comp, matches: ms})
		}
	}
	return out, nil
}

// outcome turns the matches into findings, details and a summary.
func (c *vulnCheck) outcome(db *DB, comps []runway.Component, groups []packageMatches) runway.CheckOutcome {
	var findings []runway.Finding
	advisories := map[string]bool{}
	for _, g := range groups {
		findings = append(findings, g.findings()...)
		for _, m := range g.matches {
			advisories[m.Record.ID] = true
		}
	}
	used, missing := ecosystemsUsed(db, comps)
	updated := oldestUpdate(db, used)
	age := c.opt.Now().Sub(updated)
	details := map[string]any{
		"db_age_days":        int(math.Floor(max(0, age.Hours()) / 24)),
		"db_updated":         updated.UTC().Format(time.RFC3339),
		"ecosystems":         ecosystemNames(db),
		"components_checked": len(comps),
		"advisories_matched": len(advisories),
	}
	status := runway.StatusPass
	summary := countSummary(len(findings), len(groups), len(comps), age)
	if len(findings) > 0 {
		status = runway.StatusWarn
	}
	if age > c.opt.MaxAge {
		status = runway.StatusWarn
		details["db_stale"] = true
		summary += fmt.Sprintf(" The vulnerability database is %s old, so advisories published since then are missing: run `runway db update`.", days(age))
	}
	if len(missing) > 0 {
		status = runway.StatusWarn
		details["ecosystems_missing"] = missing
		summary += fmt.Sprintf(" The database has no %s advisories, so those packages were not checked: run `runway db update --ecosystem %s`.",
			strings.Join(missing, " or "), strings.Join(missing, " --ecosystem "))
	}
	return runway.CheckOutcome{Status: status, Summary: summary, Findings: findings, Details: details}
}

func countSummary(findings, packages, comps int, age time.Duration) string {
	if comps == 0 {
		return "The app's lockfiles list no dependencies, so there was nothing to look up."
	}
	if findings == 0 {
		return fmt.Sprintf("No known vulnerabilities in %s (advisories from %s ago).", plural(comps, "dependency", "dependencies"), days(age))
	}
	return fmt.Sprintf("%s in %d of the app's %s; each finding says which upgrade fixes it.",
		plural(findings, "known vulnerability", "known vulnerabilities"), packages, plural(comps, "dependency", "dependencies"))
}

// ecosystemsUsed returns the app's ecosystems that the database holds, and
// those it lacks.
func ecosystemsUsed(db *DB, comps []runway.Component) (used, missing []string) {
	for _, comp := range comps {
		list := &used
		if _, ok := db.Ecosystem(comp.Ecosystem); !ok {
			list = &missing
		}
		if !slices.Contains(*list, comp.Ecosystem) {
			*list = append(*list, comp.Ecosystem)
		}
	}
	slices.Sort(missing)
	return used, missing
}

// oldestUpdate is when the stalest ecosystem the app uses was updated; with
// none in use, the stalest of all.
func oldestUpdate(db *DB, used []string) time.Time {
	var oldest time.Time
	for _, e := range db.Ecosystems() {
		if len(used) > 0 && !slices.Contains(used, e.Ecosystem) {
			continue
		}
		if oldest.IsZero() || e.Updated.Before(oldest) {
			oldest = e.Updated
		}
	}
	return oldest
}

func ecosystemNames(db *DB) []string {
	var out []string
	for _, e := range db.Ecosystems() {
		out = append(out, e.Ecosystem)
	}
	return out
}

// days says an age in whole days, as a person would.
func days(age time.Duration) string {
	d := int(math.Floor(max(0, age.Hours()) / 24))
	switch d {
	case 0:
		return "less than a day"
	case 1:
		return "1 day"
	}
	return fmt.Sprintf("%d days", d)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
