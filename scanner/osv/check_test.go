package osv

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/runwaytest"
)

func loadInventory(t testing.TB, name string) *runway.Inventory {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "inventory", name))
	if err != nil {
		t.Fatal(err)
	}
	var inv runway.Inventory
	if err := json.Unmarshal(data, &inv); err != nil {
		t.Fatal(err)
	}
	return &inv
}

func workspace(inv *runway.Inventory, err error) *runway.Workspace {
	return &runway.Workspace{Dir: "/app", Inventory: func() (*runway.Inventory, error) { return inv, err }}
}

func run(t testing.TB, c runway.Check, ws *runway.Workspace) runway.CheckOutcome {
	t.Helper()
	var log bytes.Buffer
	return c.Run(context.Background(), ws, &log)
}

// TestCheckGolden is what a person reads about a realistic app with
// vulnerable dependencies in four ecosystems.
func TestCheckGolden(t *testing.T) {
	t.Parallel()
	c := New(Options{DB: testDB(t), Now: clock(fixedNow.Add(50 * time.Hour))})
	out := run(t, c, workspace(loadInventory(t, "app.json"), nil))
	if out.Status != runway.StatusWarn {
		t.Errorf("status %s, want warn: findings never block by themselves", out.Status)
	}
	for _, f := range out.Findings {
		if f.Blocking || f.Kind != runway.KindVulnerability || f.ID == "" || f.File == "" || f.Fix == "" {
			t.Errorf("finding %s: blocking=%v kind=%s id=%q file=%q", f.Rule, f.Blocking, f.Kind, f.ID, f.File)
		}
	}
	runwaytest.Golden(t, filepath.Join("testdata", "golden", "app.golden"), render(t, out))
}

// render writes an outcome as a person reads it in a report.
func render(t testing.TB, out runway.CheckOutcome) []byte {
	t.Helper()
	details, err := json.Marshal(out.Details)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "status: %s\nsummary: %s\ndetails: %s\n", out.Status, out.Summary, details)
	for _, f := range out.Findings {
		fmt.Fprintf(&b, "\n[%s] %s\n", f.Severity, f.Title)
		fmt.Fprintf(&b, "  id: %s  rule: %s  file: %s  blocking: %v\n", f.ID, f.Rule, f.File, f.Blocking)
		fmt.Fprintf(&b, "  advisory: %s %v\n", f.Advisory.ID, f.Advisory.Aliases)
		fmt.Fprintf(&b, "  package: %s %s %s, fixed in %q\n", f.Package.Ecosystem, f.Package.Name, f.Package.Version, f.Package.Fixed)
		fmt.Fprintf(&b, "  message: %s\n  fix: %s\n", f.Message, f.Fix)
	}
	return b.Bytes()
}

func TestCheckStale(t *testing.T) {
	t.Parallel()
	c := New(Options{DB: testDB(t), MaxAge: 7 * 24 * time.Hour, Now: clock(fixedNow.Add(10 * 24 * time.Hour))})
	out := run(t, c, workspace(loadInventory(t, "app.json"), nil))
	if out.Status != runway.StatusWarn || len(out.Findings) == 0 || out.Details["db_stale"] != true || out.Details["db_age_days"] != 10 {
		t.Errorf("stale database: status %s, %d findings, details %v", out.Status, len(out.Findings), out.Details)
	}
	want := "The vulnerability database is 10 days old, so advisories published since then are missing: run `runway db update`."
	if !strings.Contains(out.Summary, want) {
		t.Errorf("summary %q lacks %q", out.Summary, want)
	}
}

func TestCheckClean(t *testing.T) {
	t.Parallel()
	inv := &runway.Inventory{Components: []runway.Component{
		{Ecosystem: "npm", Name: "lodash", Version: "4.17.21", Direct: true, Source: "package-lock.json"},
		{Ecosystem: "npm", Name: "express", Version: "4.17.1", Direct: true, Source: "package-lock.json"},
	}}
	c := New(Options{DB: testDB(t), Now: clock(fixedNow.Add(time.Hour))})
	out := run(t, c, workspace(inv, nil))
	want := runway.CheckOutcome{Status: runway.StatusPass, Summary: "No known vulnerabilities in 2 dependencies (advisories from less than a day ago)."}
	if out.Status != want.Status || out.Summary != want.Summary || len(out.Findings) != 0 {
		t.Errorf("got %s %q %v", out.Status, out.Summary, out.Findings)
	}
	if out.Details["components_checked"] != 2 || out.Details["advisories_matched"] != 0 || out.Details["db_updated"] != "2026-11-20T09:00:00Z" {
		t.Errorf("details %v", out.Details)
	}
}

func TestCheckNoDependencies(t *testing.T) {
	t.Parallel()
	out := run(t, New(Options{DB: testDB(t), Now: clock(fixedNow)}), workspace(&runway.Inventory{}, nil))
	if out.Status != runway.StatusPass || out.Summary != "The app's lockfiles list no dependencies, so there was nothing to look up." {
		t.Errorf("%s %q", out.Status, out.Summary)
	}
}

func TestCheckMissingEcosystem(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "db")
	src := writeFile(t, tmp, "npm/all.zip", zipOf(t, advisories(t, "npm")...))
	if _, err := (&Importer{Dir: dir, Now: clock(fixedNow)}).Import(context.Background(), src); err != nil {
		t.Fatal(err)
	}
	out := run(t, New(Options{DB: dir, Now: clock(fixedNow)}), workspace(loadInventory(t, "app.json"), nil))
	want := "The database has no Go or Maven or PyPI advisories, so those packages were not checked: run `runway db update --ecosystem Go --ecosystem Maven --ecosystem PyPI`."
	if out.Status != runway.StatusWarn || !strings.Contains(out.Summary, want) {
		t.Errorf("status %s, summary %q\nwant it to contain %q", out.Status, out.Summary, want)
	}
}

func TestCheckErrors(t *testing.T) {
	t.Parallel()
	db := testDB(t)
	inv := loadInventory(t, "app.json")
	tests := []struct {
		name string
		db   string
		ws   *runway.Workspace
		want string
	}{
		{"no database", filepath.Join(t.TempDir(), "none"), workspace(inv, nil),
			"No vulnerability database: run `runway db update` (or `runway db import FILE`)."},
		{"no inventory", db, &runway.Workspace{Dir: "/app"},
			"Runway has no list of the app's dependencies here, so it cannot look for known vulnerabilities. This is a bug in how Runway was set up; please report it."},
		{"inventory fails", db, workspace(nil, runway.Errorf(runway.EINVALID, "package-lock.json is not valid JSON (line 3)")),
			"Runway could not list the app's dependencies, so it cannot look for known vulnerabilities: package-lock.json is not valid JSON (line 3). Fix the lockfile (for example run `npm install` and commit package-lock.json), then run `runway check` again."},
		{"inventory bug", db, workspace(nil, errors.New("nil pointer in /home/x/secret")),
			"Runway could not list the app's dependencies, so it cannot look for known vulnerabilities: Internal error. Fix the lockfile (for example run `npm install` and commit package-lock.json), then run `runway check` again."},
	}
	for _, tt := range tests {
		out := run(t, New(Options{DB: tt.db}), tt.ws)
		if out.Status != runway.StatusError || out.Summary != tt.want || len(out.Findings) != 0 {
			t.Errorf("%s: %s %q", tt.name, out.Status, out.Summary)
		}
	}
}

func TestCheckName(t *testing.T) {
	t.Parallel()
	c := New(Options{})
	if c.Name() != "vulnerabilities" || len(c.Needs()) != 0 {
		t.Errorf("name %q, needs %v", c.Name(), c.Needs())
	}
}

func TestCheckStopsWhenCancelled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	out := New(Options{DB: testDB(t)}).Run(ctx, workspace(loadInventory(t, "app.json"), nil), &bytes.Buffer{})
	if out.Status != runway.StatusError {
		t.Errorf("status %s after cancel", out.Status)
	}
}
