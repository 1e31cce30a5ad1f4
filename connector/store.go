package connector

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/runwayhq/runway"
)

// RunStore keeps run records: the history, and the dead letters (failed
// runs not replayed yet) an owner can replay.
type RunStore interface {
	// SaveRun writes r, replacing the record with its ID.
	SaveRun(ctx context.Context, r *Run) error
	// FindRun returns the run with the ID; ENOTFOUND when there is none.
	FindRun(ctx context.Context, id string) (*Run, error)
	// FindRuns returns the runs, newest first.
	FindRuns(ctx context.Context, f RunFilter) ([]*Run, error)
}

// RunFilter selects runs.
type RunFilter struct {
	// Dead keeps the dead letters only.
	Dead bool
	// Limit bounds how many are returned (default 50).
	Limit int
}

// DirStore keeps run records as JSON files in a folder: `runway dev` uses
// DIR/.runway/runs. It keeps the newest Keep runs (default 500), and every
// dead letter.
type DirStore struct {
	Dir  string
	Keep int
	mu   sync.Mutex
}

var runID = regexp.MustCompile(`^[0-9a-f-]{8,64}$`)

// SaveRun implements RunStore.
func (s *DirStore) SaveRun(_ context.Context, r *Run) error {
	if !runID.MatchString(r.ID) {
		return fmt.Errorf("run id %q is not valid", r.ID)
	}
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		return err
	}
	tmp := filepath.Join(s.Dir, r.ID+".json.tmp")
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return err
	}
	if err := os.Rename(tmp, filepath.Join(s.Dir, r.ID+".json")); err != nil {
		return err
	}
	return s.prune()
}

// prune removes the oldest runs beyond Keep, dead letters excepted.
func (s *DirStore) prune() error {
	keep := s.Keep
	if keep <= 0 {
		keep = 500
	}
	names, err := s.names()
	if err != nil || len(names) <= keep {
		return err
	}
	for _, name := range names[keep:] {
		if r, err := s.read(name); err == nil && !r.Dead() {
			os.Remove(filepath.Join(s.Dir, name+".json"))
		}
	}
	return nil
}

// FindRun implements RunStore.
func (s *DirStore) FindRun(_ context.Context, id string) (*Run, error) {
	if !runID.MatchString(id) {
		return nil, runway.Errorf(runway.ENOTFOUND, "there is no run %q", id)
	}
	r, err := s.read(id)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, runway.Errorf(runway.ENOTFOUND, "there is no run %q: `runway connector runs` lists them", id)
	}
	return r, err
}

// FindRuns implements RunStore.
func (s *DirStore) FindRuns(_ context.Context, f RunFilter) ([]*Run, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	names, err := s.names()
	if err != nil {
		return nil, err
	}
	var out []*Run
	for _, name := range names {
		r, err := s.read(name)
		if err != nil {
			return nil, err
		}
		if f.Dead && !r.Dead() {
			continue
		}
		if out = append(out, r); len(out) == limit {
			break
		}
	}
	return out, nil
}

// names lists the run IDs, newest first (UUIDv7 IDs sort by time).
func (s *DirStore) names() ([]string, error) {
	entries, err := os.ReadDir(s.Dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if name, ok := strings.CutSuffix(e.Name(), ".json"); ok && runID.MatchString(name) {
			out = append(out, name)
		}
	}
	sort.Sort(sort.Reverse(sort.StringSlice(out)))
	return out, nil
}

func (s *DirStore) read(id string) (*Run, error) {
	data, err := os.ReadFile(filepath.Join(s.Dir, id+".json"))
	if err != nil {
		return nil, err
	}
	var r Run
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("run %s: %w", id, err)
	}
	return &r, nil
}
