package osv

import (
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/runwayhq/runway"
)

// fileExt is the extension of an ecosystem's index file in the database
// folder.
const fileExt = ".osvdb"

// EcosystemInfo describes one ecosystem's advisories in the database.
type EcosystemInfo struct {
	// Ecosystem is the OSV ecosystem name: npm, Go, PyPI, Maven, ...
	Ecosystem string `json:"ecosystem"`
	// Records counts the advisories, withdrawn ones included.
	Records   int `json:"records"`
	Withdrawn int `json:"withdrawn"`
	Packages  int `json:"packages"`
	// Updated is when the advisories were imported, or last confirmed
	// current by `runway db update`.
	Updated time.Time `json:"updated"`
	// Newest is the latest modification time among the advisories.
	Newest time.Time `json:"newest_modified"`
	// Source is where they came from: a URL or the files imported.
	Source string `json:"source"`
	// ETag and LastModified are the mirror's validators of the archive,
	// sent back by the next update so an unchanged archive is not
	// downloaded again.
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
}

// DB is the offline OSV database: one index file per ecosystem in a folder.
// Opening it reads only the files' headers; a lookup reads two small parts
// of one file. A DB is safe for concurrent lookups.
type DB struct {
	dir   string
	files map[string]*indexFile
}

// NoDatabaseMessage is what a person reads when there is no database.
const NoDatabaseMessage = "No vulnerability database: run `runway db update` (or `runway db import FILE`)."

// Open opens the database in dir. It returns an ENOTFOUND *runway.Error
// when the folder holds no database, and an EINTERNAL one when a file is
// damaged.
func Open(dir string) (*DB, error) {
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, &runway.Error{Code: runway.EINVALID, Message: fmt.Sprintf("cannot read the vulnerability database folder %s", dir), Err: err}
	}
	db := &DB{dir: dir, files: map[string]*indexFile{}}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), fileExt) {
			continue
		}
		ix, err := openIndex(filepath.Join(dir, e.Name()))
		if err != nil {
			db.Close()
			return nil, &runway.Error{Code: runway.EINTERNAL, Message: fmt.Sprintf("The vulnerability database in %s is damaged: run `runway db update` to rebuild it", dir), Err: err}
		}
		db.files[ix.hdr.Ecosystem] = ix
	}
	if len(db.files) == 0 {
		return nil, &runway.Error{Code: runway.ENOTFOUND, Message: NoDatabaseMessage + " Database folder: " + dir}
	}
	return db, nil
}

// Close closes the database's files.
func (db *DB) Close() error {
	var errs []error
	for _, ix := range db.files {
		errs = append(errs, ix.Close())
	}
	return errors.Join(errs...)
}

// Dir returns the database folder.
func (db *DB) Dir() string { return db.dir }

// Ecosystems describes the ecosystems in the database, sorted by name.
func (db *DB) Ecosystems() []EcosystemInfo {
	out := make([]EcosystemInfo, 0, len(db.files))
	for _, ix := range db.files {
		out = append(out, ix.hdr.EcosystemInfo)
	}
	slices.SortFunc(out, func(a, b EcosystemInfo) int { return strings.Compare(a.Ecosystem, b.Ecosystem) })
	return out
}

// Ecosystem describes one ecosystem; ok is false when the database has
// none of its advisories.
func (db *DB) Ecosystem(name string) (info EcosystemInfo, ok bool) {
	ix, ok := db.files[name]
	if !ok {
		return EcosystemInfo{}, false
	}
	return ix.hdr.EcosystemInfo, true
}

// Lookup returns the advisories stored for a package, withdrawn ones
// included, each holding only that package's affected entries. The name is
// compared as its ecosystem compares names (PEP 503 for PyPI).
func (db *DB) Lookup(ecosystem, name string) ([]Record, error) {
	ix, ok := db.files[ecosystem]
	if !ok {
		return nil, nil
	}
	data, err := ix.lookup(packageKey(ecosystem, name))
	if err != nil || data == nil {
		return nil, err
	}
	var recs []Record
	if err := json.Unmarshal(data, &recs); err != nil {
		return nil, fmt.Errorf("look up %s %s: %w", ecosystem, name, errCorrupt)
	}
	return recs, nil
}

// Match is an advisory that affects an installed package version.
type Match struct {
	// Record holds only the affected entries of the package.
	Record Record
	Rating Rating
	// Fixed is the smallest version newer than the installed one that the
	// advisory does not affect; "" when no fixed version is published.
	Fixed string
}

// Matches returns the advisories that affect a package at a version,
// withdrawn ones excepted, sorted by ID.
func (db *DB) Matches(ecosystem, name, installed string) ([]Match, error) {
	recs, err := db.Lookup(ecosystem, name)
	if err != nil {
		return nil, err
	}
	t := newTarget(ecosystem, installed)
	var out []Match
	for _, r := range recs {
		if r.IsWithdrawn() {
			continue
		}
		entries := make([]*Affected, len(r.Affected))
		var hit *Affected
		for i := range r.Affected {
			entries[i] = &r.Affected[i]
			if hit == nil && entries[i].affects(t) {
				hit = entries[i]
			}
		}
		if hit != nil {
			out = append(out, Match{Record: r, Rating: Rate(&r, hit), Fixed: smallestFix(entries, t)})
		}
	}
	slices.SortFunc(out, func(a, b Match) int { return strings.Compare(a.Record.ID, b.Record.ID) })
	return out, nil
}

// smallestFix returns the smallest version newer than the installed one
// that none of the affected entries covers, among the versions that fix
// one of them; "" when there is none.
func smallestFix(entries []*Affected, t *target) string {
	var cands []version
	for _, a := range entries {
		cands = append(cands, a.fixes(t)...)
	}
	slices.SortStableFunc(cands, func(x, y version) int { return x.compare(y) })
	for _, c := range cands {
		ct := t.sibling(c.raw)
		if !slices.ContainsFunc(entries, func(a *Affected) bool { return a.affects(ct) }) {
			return c.raw
		}
	}
	return ""
}

// fileName is the index file of an ecosystem: its name when that is safe
// in a path, else a safe form with a hash that keeps names apart.
func fileName(ecosystem string) string {
	safe := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, ecosystem)
	if safe == ecosystem && !strings.HasPrefix(safe, ".") {
		return safe + fileExt
	}
	h := fnv.New32a()
	h.Write([]byte(ecosystem))
	return fmt.Sprintf("%s-%08x%s", strings.TrimLeft(safe, "."), h.Sum32(), fileExt)
}
