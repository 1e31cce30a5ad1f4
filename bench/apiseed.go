//go:build ignore

// This file is the seeding side of apiload (see apiload.go): it fills a
// database through the store, with data shaped like a real platform's, and
// makes and drops PostgreSQL schemas for runs.

package main

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	"golang.org/x/sync/errgroup"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/sqlstore"
)

// seedFile is what seed leaves for load.
type seedFile struct {
	Dialect        string    `json:"dialect"`
	Token          string    `json:"token"`
	Apps           []seedApp `json:"apps"`
	Candidates     int       `json:"candidates"`
	MaxAppID       int64     `json:"max_app_id"`
	MaxCandidateID int64     `json:"max_candidate_id"`
	ReportBytes    int       `json:"report_bytes"` // mean JSON size of a candidate's report
	Workers        int       `json:"workers"`
	Seconds        float64   `json:"seconds"`
	SeededAt       time.Time `json:"seeded_at"`
}

type seedApp struct {
	Name       string `json:"name"`
	Team       string `json:"team"`
	Candidates int    `json:"candidates"`
}

// seedCommand seeds the database at -db, or restores the seed cached
// under -cache for -key: a seed takes minutes (every change is its own
// durable transaction), so it is made once per version of this benchmark
// and of the store, and reused.
func seedCommand(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("seed", flag.ExitOnError)
	dbURL := fs.String("db", "", "SQLite file or postgres:// URL of an empty database")
	out := fs.String("out", "", "where to write the seed file (JSON)")
	nApps := fs.Int("apps", 10000, "apps to register")
	nCands := fs.Int("candidates", 100000, "candidates to record")
	workers := fs.Int("workers", 8, "concurrent writers")
	cacheDir := fs.String("cache", "", "folder to keep the seed in and reuse it from (none: always seed)")
	key := fs.String("key", "", "version of the seed: a hash of the code that makes it")
	reseed := fs.Bool("reseed", false, "seed even when the cache has this seed, and replace it")
	fs.Parse(args)
	dialect := sqlstore.SQLite
	if strings.HasPrefix(*dbURL, "postgres://") || strings.HasPrefix(*dbURL, "postgresql://") {
		dialect = sqlstore.Postgres
	}
	entry := ""
	if *cacheDir != "" {
		entry = filepath.Join(*cacheDir, fmt.Sprintf("%s-%d-%d-%s", dialect, *nApps, *nCands, *key))
		if data, err := os.ReadFile(entry + ".json"); err == nil && !*reseed {
			return restore(ctx, dialect, *dbURL, entry, data, *out)
		}
	}
	sf, err := seedStore(ctx, *dbURL, *nApps, *nCands, *workers)
	if err != nil {
		return err
	}
	data, err := json.Marshal(sf)
	if err != nil {
		return err
	}
	if err := os.WriteFile(*out, data, 0o600); err != nil {
		return err
	}
	if dialect == sqlstore.Postgres {
		if err := analyze(ctx, *dbURL); err != nil {
			return err
		}
	}
	if entry == "" {
		return nil
	}
	return save(ctx, dialect, *dbURL, entry, data)
}

// seedStore seeds through the store and reports the rate.
func seedStore(ctx context.Context, dbURL string, nApps, nCands, workers int) (*seedFile, error) {
	store, err := sqlstore.Open(ctx, sqlstore.Options{URL: dbURL})
	if err != nil {
		return nil, err
	}
	defer store.Close()
	sf := &seedFile{Dialect: string(store.Dialect()), Workers: workers, Candidates: nCands}
	start := time.Now()
	if err := seed(runway.WithActor(ctx, "bench"), store, sf, nApps, nCands, workers); err != nil {
		return nil, err
	}
	sf.Seconds, sf.SeededAt = time.Since(start).Seconds(), time.Now().UTC()
	fmt.Fprintf(os.Stderr, "seeded %d apps and %d candidates (reports of %d bytes on average) into %s with %d workers in %.0f s: %.0f changes/s\n",
		nApps, nCands, sf.ReportBytes, sf.Dialect, workers, sf.Seconds, float64(nApps+nCands)/sf.Seconds)
	return sf, nil
}

// seed writes teams, an admin with a token, apps, then candidates.
func seed(ctx context.Context, store *sqlstore.DB, sf *seedFile, nApps, nCands, workers int) error {
	teams, err := seedTeams(ctx, store, sf)
	if err != nil {
		return err
	}
	sf.Apps = make([]seedApp, nApps)
	for i := range sf.Apps {
		sf.Apps[i] = seedApp{Name: appName(i), Team: teams[i%len(teams)]}
	}
	var mu sync.Mutex
	progress := newProgress("apps", nApps)
	err = parallel(ctx, workers, nApps, func(ctx context.Context, i int) error {
		a := &runway.App{Name: sf.Apps[i].Name, Team: sf.Apps[i].Team, Manifest: manifest(sf.Apps[i].Name, sf.Apps[i].Team, i), Tier: runway.Tier(1 + i%3)}
		if err := store.CreateApp(ctx, a); err != nil {
			return err
		}
		mu.Lock()
		sf.MaxAppID = max(sf.MaxAppID, a.ID)
		mu.Unlock()
		progress.add()
		return nil
	})
	if err != nil {
		return err
	}
	return seedCandidates(ctx, store, sf, nCands, workers)
}

// seedTeams makes a hundred teams and an admin with a token, and returns
// the teams' names.
func seedTeams(ctx context.Context, store *sqlstore.DB, sf *seedFile) ([]string, error) {
	teams := make([]string, 0, 100)
	for i := range cap(teams) {
		t := fmt.Sprintf("%s-%d", departments[i%len(departments)], i/len(departments)+1)
		if err := store.CreateTeam(ctx, &runway.Team{Name: t}); err != nil {
			return nil, err
		}
		teams = append(teams, t)
	}
	admin := &runway.User{Email: "admin@bench.runway", Name: "Bench admin", Grants: []runway.RoleGrant{{Role: runway.RoleAdmin}}}
	if err := store.CreateUser(ctx, admin); err != nil {
		return nil, err
	}
	sf.Token = runway.NewTokenSecret()
	tok := &runway.Token{UserID: admin.ID, Name: "bench", ExpiresAt: time.Now().Add(5 * 365 * 24 * time.Hour)}
	return teams, store.CreateToken(ctx, tok, sf.Token)
}

// seedCandidates spreads candidates over the apps, four in five uniformly
// and one in five on the busiest hundredth of the apps, interleaved as
// submissions arrive in real life.
func seedCandidates(ctx context.Context, store *sqlstore.DB, sf *seedFile, nCands, workers int) error {
	rng := rand.New(rand.NewPCG(10, 100000))
	order := make([]int, nCands) // the app of each candidate, in submission order
	hot := max(len(sf.Apps)/100, 1)
	for k := range order {
		if rng.IntN(5) == 0 {
			order[k] = rng.IntN(hot) * (len(sf.Apps) / hot)
		} else {
			order[k] = rng.IntN(len(sf.Apps))
		}
		sf.Apps[order[k]].Candidates++
	}
	var mu sync.Mutex
	var reportBytes int
	progress := newProgress("candidates", nCands)
	err := parallel(ctx, workers, nCands, func(ctx context.Context, k int) error {
		c := candidate(sf.Apps[order[k]], k)
		report, err := json.Marshal(c.Report)
		if err != nil {
			return err
		}
		if err := store.CreateCandidate(ctx, c); err != nil {
			return err
		}
		mu.Lock()
		sf.MaxCandidateID, reportBytes = max(sf.MaxCandidateID, c.ID), reportBytes+len(report)
		mu.Unlock()
		progress.add()
		return nil
	})
	sf.ReportBytes = reportBytes / max(nCands, 1)
	return err
}

// parallel runs fn(0..n-1) on at most workers goroutines and stops at the
// first error.
func parallel(ctx context.Context, workers, n int, fn func(context.Context, int) error) error {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(workers)
	for i := range n {
		if ctx.Err() != nil {
			break
		}
		g.Go(func() error { return fn(ctx, i) })
	}
	return g.Wait()
}

// progress prints how far seeding got, every tenth of the way.
type progress struct {
	mu         sync.Mutex
	what       string
	done, of   int
	start      time.Time
	lastTenths int
}

func newProgress(what string, of int) *progress {
	return &progress{what: what, of: of, start: time.Now()}
}

func (p *progress) add() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done++
	if tenths := p.done * 10 / max(p.of, 1); tenths > p.lastTenths {
		p.lastTenths = tenths
		el := time.Since(p.start).Seconds()
		fmt.Fprintf(os.Stderr, "  %s: %d/%d in %.0f s (%.0f/s)\n", p.what, p.done, p.of, el, float64(p.done)/el)
	}
}

var (
	departments = []string{"finance", "people", "sales", "marketing", "legal", "support", "ops", "data", "web", "research",
		"procurement", "facilities", "security", "platform", "mobile", "payments", "risk", "growth", "design", "quality"}
	appWords = []string{"expense", "payroll", "lunch", "leave", "invoice", "travel", "asset", "ticket", "vendor", "budget",
		"survey", "roster", "badge", "contract", "pricing", "onboarding", "training", "parking", "inventory", "feedback"}
	appKinds = []string{"approvals", "export", "poll", "tracker", "portal", "dashboard", "sync", "report", "bot", "planner"}
)

// appName gives app i a name like the ones people pick ("expense-tracker-42").
func appName(i int) string {
	return fmt.Sprintf("%s-%s-%d", appWords[i%len(appWords)], appKinds[(i/len(appWords))%len(appKinds)], i)
}

func manifest(name, team string, i int) runway.Manifest {
	m := runway.Manifest{Name: name, Owner: team, Template: "node-api", Description: "Internal tool of the " + team + " team.",
		Risk: runway.RiskLevels[i%2], Audience: runway.Audiences[i%3], ExpectedUsers: 10 + i%900,
		Data: []runway.DataClass{runway.DataInternal}, Run: runway.RunSpec{Build: "npm ci", Test: "npm test", Start: "node server.js", Health: "/healthz"}}
	if i%4 == 0 {
		m.Data = append(m.Data, runway.DataPII)
		m.Integrations = []runway.Integration{{Name: "hr-api", Host: "hr.internal.example.com", RequiresSecret: true, Secret: "HR_API_TOKEN"}}
	}
	return m
}

// findingPool is what reports draw their findings from.
var findingPool = []runway.Finding{
	{Check: "secrets", Kind: runway.KindSecret, Severity: runway.SeverityHigh, Rule: "aws-access-token", Title: "An AWS access key is written in the code",
		Message: "A string that looks like an AWS access key ID was found.", File: "src/export.js",
		Fix: "Revoke the key now, remove it from the code and the history, store it with the platform's secret store and reference it by name in runway.yaml."},
	{Check: "vulnerabilities", Kind: runway.KindVulnerability, Severity: runway.SeverityHigh, Rule: "GHSA-35jh-r3h4-6jhm",
		Title: "lodash 4.17.15 has a known vulnerability (command injection in template)", File: "package-lock.json",
		Advisory: &runway.Advisory{ID: "GHSA-35jh-r3h4-6jhm", Aliases: []string{"CVE-2021-23337"}},
		Package:  &runway.Package{Ecosystem: "npm", Name: "lodash", Version: "4.17.15", Fixed: "4.17.21"}, Fix: "Upgrade lodash to 4.17.21 or later."},
	{Check: "vulnerabilities", Kind: runway.KindVulnerability, Severity: runway.SeverityMedium, Rule: "GHSA-wf5p-g6vw-rhxx",
		Title: "axios 0.21.1 has a known vulnerability (server-side request forgery)", File: "package-lock.json",
		Advisory: &runway.Advisory{ID: "GHSA-wf5p-g6vw-rhxx", Aliases: []string{"CVE-2023-45857"}},
		Package:  &runway.Package{Ecosystem: "npm", Name: "axios", Version: "0.21.1", Fixed: "1.6.0"}, Fix: "Upgrade axios to 1.6.0 or later."},
	{Check: "sast", Kind: runway.KindSAST, Severity: runway.SeverityMedium, Rule: "javascript.express.sql-injection",
		Title: "A database query is built from request input", Message: "User input reaches a SQL query without parameters.", File: "src/routes/items.js",
		Fix: "Pass the value as a query parameter (?) instead of adding it to the SQL text."},
	{Check: "lint", Kind: runway.KindLint, Severity: runway.SeverityLow, Rule: "no-unused-vars", Title: "A variable is declared but never used",
		File: "src/util/format.js", Fix: "Remove the variable or use it."},
}

// candidate makes candidate k of app a, with a report of 2 to 4 findings.
func candidate(a seedApp, k int) *runway.Candidate {
	r := &runway.Report{Schema: runway.ReportSchema, RunwayVersion: "0.9.0-bench", App: a.Name, StartedAt: time.Unix(1_760_000_000+int64(k)*60, 0).UTC(),
		DurationMS: 20_000 + int64(k%9_000), Decision: runway.DecisionPass, Tier: runway.Tier(1 + k%3),
		Risk:              runway.Risk{Declared: runway.RiskLow, Effective: runway.RiskMedium, Reasons: []string{"it handles personal data (pii)", "more than 100 people use it"}},
		ApprovalsRequired: []runway.Role{runway.RoleTeamLead},
		SBOM:              &runway.SBOMSummary{CycloneDX: ".runway/sbom.cdx.json", SPDX: ".runway/sbom.spdx.json", Components: 150 + k%200}}
	for _, c := range []string{"manifest", "build", "lint", "test", "secrets", "vulnerabilities", "sast", "sbom"} {
		r.Checks = append(r.Checks, runway.CheckResult{Name: c, Status: runway.StatusPass, DurationMS: int64(100 + (k*7+len(c))%4000),
			Summary: c + " finished without a blocking problem", Log: ".runway/logs/" + c + ".log"})
	}
	for i := range 2 + k%3 {
		f := findingPool[(k+i)%len(findingPool)]
		f.ID = fmt.Sprintf("%x", sha256.Sum256([]byte(fmt.Sprint(a.Name, f.Rule, i))))[:16]
		f.Line, f.Blocking = 1+(k*31+i)%400, f.Severity == runway.SeverityHigh
		r.Findings = append(r.Findings, f)
	}
	if len(r.Blocking()) > 0 {
		r.Decision = runway.DecisionBlocked
	}
	return &runway.Candidate{App: a.Name, SourceDigest: fmt.Sprintf("sha256:%064x", k+1), Decision: r.Decision, Tier: r.Tier,
		SubmittedBy: "ci@" + a.Team, Report: r}
}

func schemaCommand(ctx context.Context, args []string) error {
	if len(args) < 1 || (args[0] != "create" && args[0] != "drop") {
		return fmt.Errorf("usage: apiload schema create|drop -db POSTGRES_URL -name SCHEMA")
	}
	fs := flag.NewFlagSet("schema", flag.ExitOnError)
	dbURL := fs.String("db", "", "postgres:// URL")
	name := fs.String("name", "", "schema name (letters, digits, _)")
	fs.Parse(args[1:])
	if *name == "" || strings.Trim(*name, "abcdefghijklmnopqrstuvwxyz0123456789_") != "" {
		return fmt.Errorf("schema name %q: use lowercase letters, digits and _", *name)
	}
	db, err := sql.Open("pgx", *dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	q := "CREATE SCHEMA " + *name
	if args[0] == "drop" {
		q = "DROP SCHEMA IF EXISTS " + *name + " CASCADE"
	}
	_, err = db.ExecContext(ctx, q)
	return err
}
