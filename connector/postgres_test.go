package connector

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/runwayhq/runway/runwaytest"
)

// TestPostgresQuery: postgres.query runs on a real PostgreSQL with its
// values as parameters, so a value that looks like SQL stays a value.
func TestPostgresQuery(t *testing.T) {
	t.Parallel()
	dsn := runwaytest.FreshSchema(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `CREATE TABLE notes (id serial PRIMARY KEY, author text NOT NULL, body text NOT NULL, at timestamptz NOT NULL DEFAULT now())`); err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)
	u, _ := url.Parse(dsn)
	c := mustParse(t, `
trigger:
  http:
    path: /notes
    input: {properties: {author: {type: string}, body: {type: string}}}
steps:
  - id: save
    postgres.query:
      sql: INSERT INTO notes (author, body) VALUES ($1, $2)
      params: ["${{ request.body.author }}", "${{ request.body.body }}"]
  - id: list
    postgres.query:
      sql: SELECT id, author, body, at FROM notes WHERE author = $1 ORDER BY id
      params: ["${{ request.body.author }}"]
      max_rows: 1
  - id: done
    respond: {body: {saved: "${{ steps.save.count }}", first: "${{ steps.list.rows[0].body }}", more: "${{ steps.list.truncated }}"}}
`, app(integration("postgres", u.Hostname(), "DATABASE_URL")))
	e, err := NewEngine(c, fastOptions(Options{Secrets: secrets(map[string]string{"DATABASE_URL": dsn})}))
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	for _, body := range []string{"first note", "x'); DROP TABLE notes; --"} {
		run := e.Run(ctx, jsonEvent("/notes", map[string]any{"author": "ada", "body": body}))
		if run.Status != RunOK {
			t.Fatalf("run %s: %s", run.Status, run.Error)
		}
		resp := run.Response.Body.(map[string]any)
		if resp["saved"] != int64(1) || resp["first"] != "first note" {
			t.Errorf("answer %v", resp)
		}
	}
	run := e.Run(ctx, jsonEvent("/notes", map[string]any{"author": "ada", "body": "third"}))
	if run.Response.Body.(map[string]any)["more"] != true {
		t.Errorf("max_rows did not truncate: %v", run.Response.Body)
	}
	if !strings.Contains(run.Steps[1].Calls[0].Body.(map[string]any)["sql"].(string), "WHERE author = $1") {
		t.Errorf("the record does not show the statement: %+v", run.Steps[1].Calls[0])
	}
}

// TestPostgresHostMustBeDeclared: a connection address naming another
// host than the integration's is refused before any connection.
func TestPostgresHostMustBeDeclared(t *testing.T) {
	t.Parallel()
	c := mustParse(t, "trigger: {http: {path: /q}}\nsteps:\n  - id: q\n    postgres.query: {sql: SELECT 1}\n", app(integration("postgres", "10.1.2.3", "DATABASE_URL")))
	for _, dsn := range []string{"postgres://u:database-password@db.elsewhere.example/app", "postgres://u:database-password@10.1.2.3/app?host=169.254.169.254"} {
		e, err := NewEngine(c, fastOptions(Options{Secrets: secrets(map[string]string{"DATABASE_URL": dsn})}))
		if err != nil {
			t.Fatal(err)
		}
		run := e.Run(context.Background(), jsonEvent("/q", nil))
		if !strings.Contains(run.Error, "refused") || strings.Contains(run.Error, "database-password") {
			t.Errorf("%s: %s", dsn, run.Error)
		}
		e.Close()
	}
}
