package sqlstore

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// TestMigrationParity fails when the dialects' migration sets differ:
// every migration exists for SQLite and PostgreSQL under the same name.
func TestMigrationParity(t *testing.T) {
	lite, err := migrationNames(SQLite)
	if err != nil {
		t.Fatal(err)
	}
	pg, err := migrationNames(Postgres)
	if err != nil {
		t.Fatal(err)
	}
	if len(lite) == 0 || !slices.Equal(lite, pg) {
		t.Fatalf("migrations differ between dialects:\nsqlite:   %v\npostgres: %v", lite, pg)
	}
	for i, name := range lite {
		if want := i + 1; !numbered(name, want) {
			t.Errorf("migration %s: want the number %04d_ (numbers start at 1, no gaps)", name, want)
		}
	}
}

func numbered(name string, n int) bool {
	return strings.HasPrefix(name, fmt.Sprintf("%04d_", n)) && strings.HasSuffix(name, ".sql")
}
