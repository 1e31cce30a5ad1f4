package secrets

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/zricethezav/gitleaks/v8/config"

	"github.com/runwayhq/runway"
)

// cacheFormat names the layout of cache files; a file of another layout
// is ignored.
const cacheFormat = "runway-secrets-cache/1"

// fileCache remembers, per file, what the last scan found in it (never the
// values: only what a finding shows), so that the next run of the check
// rescans only files whose content changed. It is kept per app folder in
// Options.CacheDir and is valid only for the same Runway binary, gitleaks
// rules and options: its key says which.
type fileCache struct {
	path string
	key  string
	cfg  *config.Config
	old  map[string]cacheEntry

	mu  sync.Mutex
	new map[string]cacheEntry
}

// cacheFile is the JSON form of a cache.
type cacheFile struct {
	Key   string                `json:"key"`
	Files map[string]cacheEntry `json:"files"`
}

type cacheEntry struct {
	Sum   string       `json:"sum"` // SHA-256 of the content, hex
	Leaks []cachedLeak `json:"leaks"`
}

type cachedLeak struct {
	Rule        string          `json:"rule"`
	Line        int             `json:"line"`
	Column      int             `json:"column"`
	Fingerprint string          `json:"fingerprint"`
	Hint        string          `json:"hint,omitempty"`
	Name        string          `json:"name"`
	Severity    runway.Severity `json:"severity"`
	PathOnly    bool            `json:"path_only,omitempty"`
}

// openCache returns the cache of the app in dir kept in cacheDir, empty
// when there is none yet or it no longer applies. It returns nil (no
// caching) when cacheDir is empty or inside dir: a cache among the files it
// vouches for could be forged by anyone who can commit to the app.
func openCache(cacheDir, dir string, cfg *config.Config, opt Options) (*fileCache, error) {
	if cacheDir == "" {
		return nil, nil
	}
	if rel, err := filepath.Rel(dir, cacheDir); err == nil && filepath.IsLocal(rel) {
		return nil, fmt.Errorf("cache folder %s is inside the app's folder", cacheDir)
	}
	key, err := cacheKey(opt)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256([]byte(dir))
	c := &fileCache{
		path: filepath.Join(cacheDir, "secrets-"+hex.EncodeToString(sum[:8])+".json"),
		key:  key, cfg: cfg, new: map[string]cacheEntry{},
	}
	if data, err := os.ReadFile(c.path); err == nil {
		c.old = parseCache(data, key, cfg)
	}
	return c, nil
}

// cacheKey identifies what a cache's results depend on: this binary (its
// size and modification time change with every build), the gitleaks
// version and the options that change the rules.
func cacheKey(opt Options) (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("find the running program: %w", err)
	}
	st, err := os.Stat(exe)
	if err != nil {
		return "", fmt.Errorf("find the running program: %w", err)
	}
	return fmt.Sprintf("%s exe=%s:%d:%d gitleaks=%s decode=%d vendored=%t", cacheFormat, exe, st.Size(), st.ModTime().UnixNano(),
		gitleaksVersion(), decodeDepth, opt.IncludeVendored), nil
}

// parseCache reads a cache file, keeping only well-formed entries made
// under key: a damaged or foreign file costs a full scan, nothing more.
func parseCache(data []byte, key string, cfg *config.Config) map[string]cacheEntry {
	var cf cacheFile
	if err := json.Unmarshal(data, &cf); err != nil || cf.Key != key {
		return nil
	}
	for rel, e := range cf.Files {
		if !isCleanLocal(rel) || !validEntry(e, cfg) {
			delete(cf.Files, rel)
		}
	}
	return cf.Files
}

func validEntry(e cacheEntry, cfg *config.Config) bool {
	if len(e.Sum) != 64 || strings.Trim(e.Sum, "0123456789abcdef") != "" {
		return false
	}
	for _, l := range e.Leaks {
		_, known := cfg.Rules[l.Rule]
		if !known || l.Line < 0 || l.Column < 0 || len(l.Fingerprint) != 16 || strings.Trim(l.Fingerprint, "0123456789abcdef") != "" ||
			!validName.MatchString(l.Name) || !slices.Contains(runway.Severities, l.Severity) || !validHint(l.Hint) {
			return false
		}
	}
	return true
}

// validHint accepts only the hints hint itself can return.
func validHint(h string) bool {
	if h == "" {
		return true
	}
	for _, p := range tokenPrefixes {
		if h == p[:min(len(p), maxHint)]+"…" {
			return true
		}
	}
	return false
}

// lookup returns the leaks remembered for the file rel with content sum.
func (c *fileCache) lookup(rel string, sum [32]byte) ([]leak, bool) {
	e, ok := c.old[rel]
	if !ok || e.Sum != hex.EncodeToString(sum[:]) {
		return nil, false
	}
	c.mu.Lock()
	c.new[rel] = e
	c.mu.Unlock()
	leaks := make([]leak, len(e.Leaks))
	for i, l := range e.Leaks {
		leaks[i] = leak{rule: l.Rule, description: c.cfg.Rules[l.Rule].Description, file: rel, line: l.Line, column: l.Column,
			fingerprint: l.Fingerprint, hint: l.Hint, name: l.Name, severity: l.Severity, pathOnly: l.PathOnly}
	}
	return leaks, true
}

// store remembers the leaks found in the file rel with content sum.
func (c *fileCache) store(rel string, sum [32]byte, leaks []leak) {
	e := cacheEntry{Sum: hex.EncodeToString(sum[:]), Leaks: []cachedLeak{}}
	for _, l := range leaks {
		e.Leaks = append(e.Leaks, cachedLeak{Rule: l.rule, Line: l.line, Column: l.column, Fingerprint: l.fingerprint,
			Hint: l.hint, Name: l.name, Severity: l.severity, PathOnly: l.pathOnly})
	}
	c.mu.Lock()
	c.new[rel] = e
	c.mu.Unlock()
}

// save writes what this run scanned (files gone since are forgotten),
// through a temporary file so that a concurrent run never reads half of it.
func (c *fileCache) save() error {
	data, err := json.Marshal(cacheFile{Key: c.key, Files: c.new})
	if err != nil {
		return fmt.Errorf("encode secrets cache: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(c.path), 0o700); err != nil {
		return fmt.Errorf("create cache folder: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(c.path), ".secrets-*.tmp")
	if err != nil {
		return fmt.Errorf("write secrets cache: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write secrets cache: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write secrets cache: %w", err)
	}
	if err := os.Rename(tmp.Name(), c.path); err != nil {
		return fmt.Errorf("write secrets cache: %w", err)
	}
	return nil
}
