package secrets

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/go-git/go-git/v5/plumbing/format/gitignore"
	"github.com/zricethezav/gitleaks/v8/config"
	"github.com/zricethezav/gitleaks/v8/detect"
	"github.com/zricethezav/gitleaks/v8/sources"
)

// fileBuffer is the size of the chunks gitleaks reads files in (its own
// default), allocated once per worker rather than once per file.
const fileBuffer = 100_000

// tree is an app's working tree: the files a person would commit.
// gitleaks' own directory source cannot skip what .gitignore ignores,
// hence this walker; every file it finds goes to gitleaks' file source.
type tree struct {
	dir             string // the app's folder, absolute
	cfg             *config.Config
	includeVendored bool
	// skip are folders never scanned, relative with forward slashes: the
	// generated .runway folder and the artifacts folder when it is inside.
	skip map[string]bool
	// repo is the repository dir is in; nil when it is in none.
	repo *repo
	// tracked are files git tracks although an ignore rule matches them.
	tracked []string
	workers int

	files atomic.Int64
	// Written by the walker alone, read once Fragments has returned.
	ignored  int
	vendored []string

	mu         sync.Mutex
	unreadable []string
}

// scan walks the tree and scans every file with the detector d returns,
// on several goroutines, reusing what c remembers of files that have not
// changed since the last scan (c may be nil). d is called only for a file
// the cache does not know: building a detector costs milliseconds and
// megabytes, which a rerun over unchanged files need not pay. It returns
// the leaks found, not yet merged.
func (t *tree) scan(ctx context.Context, d func() *detect.Detector, c *fileCache) ([]leak, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	paths := make(chan string, 256)
	var walkErr error
	go func() {
		defer close(paths)
		walkErr = t.walk(ctx, func(rel string) bool {
			select {
			case paths <- rel:
				return true
			case <-ctx.Done():
				return false
			}
		})
	}()
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		leaks []leak
	)
	errs := make([]error, max(1, t.workers))
	for i := range errs {
		wg.Go(func() {
			buf := make([]byte, fileBuffer)
			for rel := range paths {
				if errs[i] != nil {
					continue // drain until the walker notices
				}
				found, err := t.scanFile(ctx, d, c, rel, buf)
				if err != nil {
					errs[i] = err
					cancel()
					continue
				}
				mu.Lock()
				leaks = append(leaks, found...)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if err := errors.Join(append(errs, walkErr)...); err != nil {
		return nil, err
	}
	return leaks, nil
}

// maxCached is the largest file whose result is cached: bigger ones are
// streamed through gitleaks rather than read whole to fingerprint them.
const maxCached = 8 << 20

// scanFile scans one file, or takes what c remembers of it when its
// content has not changed. A file that cannot be read is noted, not fatal:
// the log and the details name it.
func (t *tree) scanFile(ctx context.Context, d func() *detect.Detector, c *fileCache, rel string, buf []byte) ([]leak, error) {
	f, err := os.Open(filepath.Join(t.dir, filepath.FromSlash(rel)))
	if err != nil {
		t.noteUnreadable(rel)
		return nil, nil
	}
	defer f.Close()
	t.files.Add(1)
	if c == nil {
		return t.detect(ctx, d(), rel, f, buf)
	}
	if st, err := f.Stat(); err != nil || st.Size() > maxCached {
		return t.detect(ctx, d(), rel, f, buf)
	}
	data, err := io.ReadAll(f)
	if err != nil {
		t.noteUnreadable(rel)
		return nil, nil
	}
	sum := sha256.Sum256(data)
	if leaks, ok := c.lookup(rel, sum); ok {
		return leaks, nil
	}
	leaks, err := t.detect(ctx, d(), rel, bytes.NewReader(data), buf)
	if err == nil {
		c.store(rel, sum, leaks)
	}
	return leaks, err
}

// detect runs gitleaks over one file's content, through its file source
// (which splits it into fragments and skips binary files), and reduces
// what it finds at once.
func (t *tree) detect(ctx context.Context, d *detect.Detector, rel string, content io.Reader, buf []byte) ([]leak, error) {
	var leaks []leak
	file := sources.File{Content: content, Path: rel, Config: t.cfg, Buffer: buf}
	err := file.Fragments(ctx, func(fr sources.Fragment, err error) error {
		if err != nil {
			t.noteUnreadable(rel)
			return nil
		}
		for _, f := range d.DetectContext(ctx, detect.Fragment(fr)) {
			if l, ok := newLeak(f, rel); ok {
				leaks = append(leaks, l)
			}
		}
		return nil
	})
	if err != nil && ctx.Err() == nil {
		return nil, fmt.Errorf("scan %s: %w", rel, err)
	}
	return leaks, err
}

func (t *tree) noteUnreadable(rel string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !slices.Contains(t.unreadable, rel) {
		t.unreadable = append(t.unreadable, rel)
	}
}

// walk calls visit with every file to scan, relative to dir with forward
// slashes, until visit returns false.
func (t *tree) walk(ctx context.Context, visit func(rel string) bool) error {
	base := t.parentPatterns()
	seen := map[string]bool{}
	send := func(rel string) bool {
		if seen[rel] {
			return true
		}
		seen[rel] = true
		return visit(rel)
	}
	if err := t.walkDir(ctx, "", t.prefix(), base, false, send); err != nil {
		return err
	}
	for _, rel := range t.tracked {
		if t.wantTracked(rel) && !send(rel) {
			return ctx.Err()
		}
	}
	return ctx.Err()
}

// walkDir walks the folder rel. elems is the same folder as path elements
// from the repository's top, which is what ignore patterns match against;
// inVendored is true inside a vendored folder being scanned on request,
// where ignore rules do not apply.
func (t *tree) walkDir(ctx context.Context, rel string, elems []string, ps []gitignore.Pattern, inVendored bool, send func(string) bool) error {
	entries, err := os.ReadDir(filepath.Join(t.dir, filepath.FromSlash(rel)))
	if err != nil {
		if rel == "" {
			return fmt.Errorf("read %s: %w", t.dir, err)
		}
		t.noteUnreadable(rel + "/")
		return nil
	}
	if !inVendored {
		ps = append(slices.Clip(ps), readIgnore(filepath.Join(t.dir, filepath.FromSlash(rel), ".gitignore"), elems)...)
	}
	m := gitignore.NewMatcher(ps)
	for _, e := range entries {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		name, childRel := e.Name(), path.Join(rel, e.Name())
		child := append(slices.Clip(elems), name)
		switch {
		case name == ".git":
		case e.IsDir():
			if err := t.enterDir(ctx, childRel, child, ps, m, inVendored, send); err != nil {
				return err
			}
		case !e.Type().IsRegular(): // symlinks, sockets, devices
		case !inVendored && m.Match(child, false):
			t.ignored++
		case skipPath(t.cfg, childRel):
		case !send(childRel):
			return ctx.Err()
		}
	}
	return nil
}

// enterDir decides whether to walk a sub-folder, and walks it.
func (t *tree) enterDir(ctx context.Context, rel string, elems []string, ps []gitignore.Pattern, m gitignore.Matcher, inVendored bool, send func(string) bool) error {
	name := path.Base(rel)
	switch {
	case t.skip[rel]:
		return nil
	case vendoredDirs[name] && !inVendored:
		if !t.includeVendored {
			t.vendored = append(t.vendored, rel)
			return nil
		}
		return t.walkDir(ctx, rel, elems, nil, true, send)
	case !inVendored && m.Match(elems, true):
		t.ignored++
		return nil
	case skipPath(t.cfg, rel):
		return nil
	}
	return t.walkDir(ctx, rel, elems, ps, inVendored, send)
}

// prefix is the app's folder as path elements from the repository's top.
func (t *tree) prefix() []string {
	if t.repo == nil {
		return nil
	}
	return t.repo.prefix
}

// parentPatterns are the ignore rules that apply before the app's own
// folder is read: the repository's info/exclude, then the .gitignore files
// of the folders between the repository's top and the app.
func (t *tree) parentPatterns() []gitignore.Pattern {
	if t.repo == nil {
		return nil
	}
	ps := readIgnore(filepath.Join(t.repo.commonDir, "info", "exclude"), nil)
	for i := range t.repo.prefix {
		elems := t.repo.prefix[:i]
		ps = append(ps, readIgnore(filepath.Join(t.repo.top, filepath.Join(elems...), ".gitignore"), elems)...)
	}
	return ps
}

// wantTracked reports whether a file git tracks despite an ignore rule is
// scanned: yes, unless the walker skips its folder for another reason.
func (t *tree) wantTracked(rel string) bool {
	elems := strings.Split(rel, "/")
	for i, e := range elems[:len(elems)-1] {
		if e == ".git" || vendoredDirs[e] || t.skip[strings.Join(elems[:i+1], "/")] {
			return false
		}
	}
	if skipPath(t.cfg, rel) {
		return false
	}
	st, err := os.Lstat(filepath.Join(t.dir, filepath.FromSlash(rel)))
	return err == nil && st.Mode().IsRegular()
}

// readIgnore reads the patterns of an ignore file whose folder is domain.
// A missing or unreadable file has none: that can only make the scan read
// more, never less.
func readIgnore(file string, domain []string) []gitignore.Pattern {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil
	}
	return parseIgnore(data, domain)
}

// parseIgnore parses ignore patterns the way git reads them: a leading
// UTF-8 byte order mark and line-ending carriage returns are dropped,
// blank lines and # comments skipped.
func parseIgnore(data []byte, domain []string) []gitignore.Pattern {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	var ps []gitignore.Pattern
	for line := range strings.SplitSeq(string(data), "\n") {
		line = strings.TrimSuffix(line, "\r")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		ps = append(ps, gitignore.ParsePattern(line, domain))
	}
	return ps
}
