package secrets

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/runwaytest"
	"github.com/runwayhq/runway/sqlstore"
)

// ctx names the person acting, as the API's handlers do.
var ctx = runway.WithActor(context.Background(), "user:ana@example.com")

// fixture is a real store (SQLite or PostgreSQL) with two apps, an Envelope
// under one master key and a Service over it, logging JSON into logs.
type fixture struct {
	db      *sqlstore.DB
	raw     *sql.DB // the same database, for tampering with rows
	dialect sqlstore.Dialect
	key     *MasterKey
	env     *Envelope
	svc     *Service
	logs    *bytes.Buffer
	path    string // the SQLite file
}

// forEachDB runs test on SQLite and, when RUNWAY_TEST_POSTGRES_URL is set,
// on PostgreSQL.
func forEachDB(t *testing.T, test func(t *testing.T, f *fixture)) {
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		test(t, newFixture(t, sqlstore.SQLite))
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		runwaytest.PostgresURL(t)
		test(t, newFixture(t, sqlstore.Postgres))
	})
}

func newFixture(t testing.TB, d sqlstore.Dialect) *fixture {
	t.Helper()
	f := &fixture{dialect: d, logs: &bytes.Buffer{}}
	var u, driver string
	if d == sqlstore.SQLite {
		f.path = filepath.Join(t.TempDir(), "runway.db")
		u, driver = f.path, "sqlite"
	} else {
		u, driver = runwaytest.FreshSchema(t), "pgx"
	}
	db, err := sqlstore.Open(context.Background(), sqlstore.Options{URL: u})
	must(t, err)
	raw, err := sql.Open(driver, u)
	must(t, err)
	t.Cleanup(func() { raw.Close(); db.Close() })
	f.db, f.raw = db, raw
	must(t, db.CreateTeam(ctx, &runway.Team{Name: "finance"}))
	for _, app := range []string{"payroll", "expenses"} {
		must(t, db.CreateApp(ctx, &runway.App{Name: app, Team: "finance", Tier: 2, Manifest: runway.Manifest{
			Name: app, Owner: "finance", Risk: "medium", Audience: "team",
			Integrations: []runway.Integration{
				{Name: "slack", Host: "slack.com", RequiresSecret: true, Secret: "SLACK_BOT_TOKEN"},
				{Name: "stripe", Host: "api.stripe.com", RequiresSecret: true, Secret: "STRIPE_API_KEY"},
				{Name: "status", Host: "status.example.com"},
			},
		}}))
	}
	f.key, _ = GenerateMasterKey()
	f.env = NewEnvelope(db, f.key)
	f.svc = New(Options{
		Backend: f.env, Apps: db, Audit: db,
		Logger: slog.New(slog.NewJSONHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	return f
}

// exec runs SQL written with ? placeholders on the raw connection.
func (f *fixture) exec(t testing.TB, query string, args ...any) {
	t.Helper()
	if _, err := f.raw.Exec(f.rebind(query), args...); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) queryRow(query string, args ...any) *sql.Row {
	return f.raw.QueryRow(f.rebind(query), args...)
}

func (f *fixture) rebind(q string) string {
	if f.dialect != sqlstore.Postgres {
		return q
	}
	for n := 1; strings.Contains(q, "?"); n++ {
		q = strings.Replace(q, "?", fmt.Sprintf("$%d", n), 1)
	}
	return q
}

// set stores a value through the Service.
func (f *fixture) set(t testing.TB, app string, env runway.Environment, name, value string) *runway.SecretInfo {
	t.Helper()
	info, err := f.svc.Set(ctx, runway.SecretRef{App: app, Env: env, Name: name}, strings.NewReader(value))
	must(t, err)
	return info
}

// audit returns the whole audit trail, checking its chain.
func (f *fixture) audit(t testing.TB) []*runway.AuditEntry {
	t.Helper()
	if _, err := runway.VerifyAudit(ctx, f.db); err != nil {
		t.Fatalf("audit chain: %v", err)
	}
	entries, err := f.db.AuditEntries(ctx, runway.AuditFilter{Page: runway.Page{Limit: 1000}})
	must(t, err)
	return entries
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantCode(t testing.TB, err error, code string) {
	t.Helper()
	if got := runway.ErrorCode(err); got != code {
		t.Fatalf("error %v: code %q, want %q", err, got, code)
	}
}
