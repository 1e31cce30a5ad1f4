package sqlstore_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/runwaytest"
	"github.com/runwayhq/runway/sqlstore"
)

// tamperCases edit the stored trail behind the store's back, the way
// someone with database access could, and name what verify must say.
var tamperCases = []struct {
	name string
	sql  []string
	want string
}{
	{"untouched", nil, ""},
	{"edited data", []string{`UPDATE audit_entries SET data = '{"team":"evil","tier":1}' WHERE seq = 2`},
		"audit entry 2 was edited: its content does not match its hash"},
	{"edited actor", []string{`UPDATE audit_entries SET actor = 'user:someone-else' WHERE seq = 3`},
		"audit entry 3 was edited"},
	{"deleted", []string{`DELETE FROM audit_entries WHERE seq = 2`},
		"audit entries 2 to 2 are missing: they were deleted"},
	{"reordered", []string{
		`UPDATE audit_entries SET seq = 100 WHERE seq = 2`,
		`UPDATE audit_entries SET seq = 2 WHERE seq = 3`,
		`UPDATE audit_entries SET seq = 3 WHERE seq = 100`},
		"audit entry 2 does not follow entry 1"},
	{"replaced with a rehashed entry", []string{
		`UPDATE audit_entries SET prev_hash = 'ffff', hash = 'ffff' WHERE seq = 2`},
		"audit entry 2 does not follow entry 1"},
	{"truncated", []string{`DELETE FROM audit_entries WHERE seq = 4`},
		"the audit trail ends at entry 3 but its head is entry 4: entries 4 to 4 were cut off"},
	{"head rewound", []string{`UPDATE audit_head SET seq = 2, hash = 'abc' WHERE id = 1`},
		"the audit trail ends at entry 4"},
}

func testTamper(t *testing.T, open func(t *testing.T) (*sqlstore.DB, *sql.DB)) {
	for _, c := range tamperCases {
		t.Run(c.name, func(t *testing.T) {
			db, raw := open(t)
			ctx := runwaytest.Ctx
			must(t, db.CreateTeam(ctx, &runway.Team{Name: "web"}))
			must(t, db.CreateApp(ctx, &runway.App{Name: "expenses", Team: "web", Tier: 2}))
			must(t, db.CreateTeam(ctx, &runway.Team{Name: "data"}))
			must(t, db.CreateCandidate(ctx, &runway.Candidate{App: "expenses", Decision: runway.DecisionPass, Report: &runway.Report{}}))
			for _, q := range c.sql {
				if _, err := raw.Exec(q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			_, err := runway.VerifyAudit(context.Background(), db)
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("an untouched trail fails verification: %v", err)
			case c.want != "" && err == nil:
				t.Fatalf("verification missed: %s", c.name)
			case c.want != "" && !strings.Contains(err.Error(), c.want):
				t.Fatalf("verification says %q, want it to say %q", err, c.want)
			}
		})
	}
}

func TestSQLiteAuditTamper(t *testing.T) {
	t.Parallel()
	testTamper(t, func(t *testing.T) (*sqlstore.DB, *sql.DB) {
		path := filepath.Join(t.TempDir(), "runway.db")
		db, err := sqlstore.Open(context.Background(), sqlstore.Options{URL: path})
		must(t, err)
		raw, err := sql.Open("sqlite", path)
		must(t, err)
		t.Cleanup(func() { raw.Close(); db.Close() })
		return db, raw
	})
}

func TestPostgresAuditTamper(t *testing.T) {
	t.Parallel()
	postgresURL(t)
	testTamper(t, func(t *testing.T) (*sqlstore.DB, *sql.DB) {
		u := freshSchema(t)
		db, err := sqlstore.Open(context.Background(), sqlstore.Options{URL: u})
		must(t, err)
		raw, err := sql.Open("pgx", u)
		must(t, err)
		t.Cleanup(func() { raw.Close(); db.Close() })
		return db, raw
	})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
