package secrets

import (
	"os"
	"strings"
	"testing"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/sqlstore"
)

// benchDBs runs a benchmark on SQLite and, when RUNWAY_TEST_POSTGRES_URL is
// set, on PostgreSQL.
func benchDBs(b *testing.B, bench func(b *testing.B, f *fixture)) {
	b.Run("sqlite", func(b *testing.B) { bench(b, newFixture(b, sqlstore.SQLite)) })
	if os.Getenv("RUNWAY_TEST_POSTGRES_URL") != "" {
		b.Run("postgres", func(b *testing.B) { bench(b, newFixture(b, sqlstore.Postgres)) })
	}
}

// BenchmarkSet stores a new version of a 40-byte token: read, seal, one
// audited transaction.
func BenchmarkSet(b *testing.B) {
	benchDBs(b, func(b *testing.B, f *fixture) {
		ref := runway.SecretRef{App: "payroll", Env: runway.EnvProduction, Name: "SLACK_BOT_TOKEN"}
		value := strings.Repeat("x", 40)
		for b.Loop() {
			if _, err := f.svc.Set(ctx, ref, strings.NewReader(value)); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkResolve hands a process its two declared secrets: the manifest
// check, one query, two data keys and two values opened, and (audited) one
// audit entry, which is most of the time: a durable write.
func BenchmarkResolve(b *testing.B) {
	benchDBs(b, func(b *testing.B, f *fixture) {
		f.set(b, "payroll", "", "SLACK_BOT_TOKEN", strings.Repeat("s", 40))
		f.set(b, "payroll", runway.EnvProduction, "STRIPE_API_KEY", strings.Repeat("k", 40))
		names := []string{"SLACK_BOT_TOKEN", "STRIPE_API_KEY"}
		unaudited := New(Options{Backend: f.env, Apps: f.db})
		for name, svc := range map[string]*Service{"audited": f.svc, "unaudited": unaudited} {
			b.Run(name, func(b *testing.B) {
				for b.Loop() {
					if _, err := svc.Resolve(ctx, "payroll", runway.EnvProduction, names); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	})
}

// BenchmarkSealOpen is the cryptography alone: a fresh data key, two
// seals, then two opens.
func BenchmarkSealOpen(b *testing.B) {
	key, _ := GenerateMasterKey()
	env := NewEnvelope(nil, key)
	ref := runway.SecretRef{App: "payroll", Env: runway.EnvProduction, Name: "SLACK_BOT_TOKEN"}
	value := []byte(strings.Repeat("x", 40))
	for b.Loop() {
		if _, err := env.openSecret(env.sealSecret(ref, value)); err != nil {
			b.Fatal(err)
		}
	}
}
