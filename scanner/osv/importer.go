package osv

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/runwayhq/runway"
)

// Importer adds OSV advisories to the database in Dir: OSV JSON files,
// folders of them, and osv.dev's per-ecosystem all.zip archives.
//
// An import is atomic per ecosystem file and all-or-nothing for the whole
// import: every ecosystem it touches is rebuilt into a temporary file first,
// and the files replace the old ones (by rename) only once all are built.
// A failed import leaves the previous database as it was. Records are
// merged by ID: an imported record replaces the stored one of the same ID.
type Importer struct {
	// Dir is the database folder; it is created when missing.
	Dir string
	// Limits bound archives and records; zero fields take DefaultLimits.
	Limits Limits
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// ImportResult says what an import did.
type ImportResult struct {
	// Records counts the advisories read.
	Records int `json:"records"`
	// Skipped counts the advisories that name no package (GIT-only ones).
	Skipped int `json:"skipped"`
	// Ecosystems describes every ecosystem the import changed, after it.
	Ecosystems []EcosystemInfo `json:"ecosystems"`
}

// Import reads the sources and merges their advisories into the database.
// Problems with a source are EINVALID errors naming it.
func (im *Importer) Import(ctx context.Context, sources ...string) (*ImportResult, error) {
	if len(sources) == 0 {
		return nil, runway.Errorf(runway.EINVALID, "nothing to import: name OSV JSON files, folders or all.zip archives")
	}
	b, ctx := newBatch(ctx)
	var err error
	for _, src := range sources {
		if err = im.collect(ctx, b, src); err != nil {
			break
		}
	}
	if err := b.wait(err); err != nil {
		return nil, err
	}
	infos, err := im.commit(b, commitOptions{source: describeSources(sources)})
	if err != nil {
		return nil, err
	}
	return &ImportResult{Records: len(b.records), Skipped: b.skipped, Ecosystems: infos}, nil
}

// batch is the advisories read by one import, by ID. Records are parsed
// in parallel, one goroutine per CPU: parsing is most of an import's work.
type batch struct {
	g       *errgroup.Group
	ctx     context.Context
	mu      sync.Mutex
	records map[string]*Record
	skipped int
}

// newBatch returns a batch and a context that ends when a record fails to
// parse, so the readers stop early.
func newBatch(ctx context.Context) (*batch, context.Context) {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	return &batch{g: g, ctx: ctx, records: map[string]*Record{}}, ctx
}

// parse parses one record in the background; a parse error surfaces from
// wait. It returns an error only when the batch has already failed.
func (b *batch) parse(data []byte, where string) error {
	if err := b.ctx.Err(); err != nil {
		return err
	}
	b.g.Go(func() error {
		r, err := ParseRecord(data)
		if err != nil {
			return &runway.Error{Code: runway.EINVALID, Message: fmt.Sprintf("%s is not a valid OSV record", where), Err: err}
		}
		b.add(r)
		return nil
	})
	return nil
}

// wait waits for the parsing and returns its first error, else readErr.
func (b *batch) wait(readErr error) error {
	if err := b.g.Wait(); err != nil {
		return err
	}
	return readErr
}

// add keeps a record; of two with one ID, the later modified wins.
func (b *batch) add(r *Record) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(r.Affected) == 0 {
		b.skipped++
		return
	}
	if prev := b.records[r.ID]; prev == nil || !r.Modified.Before(prev.Modified) {
		b.records[r.ID] = r
	}
}

// collect reads one source: a file, a folder (recursively) or an archive.
func (im *Importer) collect(ctx context.Context, b *batch, src string) error {
	st, err := os.Stat(src)
	if err != nil {
		return &runway.Error{Code: runway.EINVALID, Message: fmt.Sprintf("cannot read %s", src), Err: err}
	}
	if !st.IsDir() {
		return im.collectFile(ctx, b, src)
	}
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return &runway.Error{Code: runway.EINVALID, Message: fmt.Sprintf("cannot read %s", p), Err: err}
		}
		if d.Type().IsRegular() && isSourceName(d.Name()) {
			return im.collectFile(ctx, b, p)
		}
		return nil
	})
}

func isSourceName(name string) bool {
	n := strings.ToLower(name)
	return strings.HasSuffix(n, ".json") || strings.HasSuffix(n, ".zip")
}

func (im *Importer) collectFile(ctx context.Context, b *batch, p string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f, err := os.Open(p)
	if err != nil {
		return &runway.Error{Code: runway.EINVALID, Message: fmt.Sprintf("cannot read %s", p), Err: err}
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	var magic [4]byte
	if n, _ := f.ReadAt(magic[:], 0); n == 4 && bytes.Equal(magic[:], []byte("PK\x03\x04")) || strings.HasSuffix(strings.ToLower(p), ".zip") {
		return readArchive(ctx, f, st.Size(), p, im.Limits.orDefault(), func(entry string, data []byte) error {
			return b.parse(data, fmt.Sprintf("%s (entry %s)", p, entry))
		})
	}
	if st.Size() > MaxRecordSize {
		return runway.Errorf(runway.EINVALID, "%s is %d bytes, more than the limit of %d for one OSV record", p, st.Size(), MaxRecordSize)
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return fmt.Errorf("read %s: %w", p, err)
	}
	return b.parse(data, p)
}

// describeSources names the sources in a short line for `runway db status`.
func describeSources(sources []string) string {
	names := make([]string, 0, 3)
	for i, s := range sources {
		if i == 3 {
			return fmt.Sprintf("%s and %d more", strings.Join(names, ", "), len(sources)-3)
		}
		names = append(names, filepath.Base(s))
	}
	return strings.Join(names, ", ")
}

// commitOptions shape how a batch enters the database.
type commitOptions struct {
	source string
	// replace, when set, names the one ecosystem the batch replaces whole
	// (an update's all.zip); other ecosystems are left alone.
	replace string
	// etag and lastModified are the archive's validators for replace.
	etag, lastModified string
}

// commit rebuilds every ecosystem the batch touches into temporary files,
// then renames them into place.
func (im *Importer) commit(b *batch, opt commitOptions) (infos []EcosystemInfo, err error) {
	if err := os.MkdirAll(im.Dir, 0o755); err != nil {
		return nil, &runway.Error{Code: runway.EINVALID, Message: fmt.Sprintf("cannot create the vulnerability database folder %s", im.Dir), Err: err}
	}
	removeLeftovers(im.Dir, time.Now().Add(-time.Hour))
	plan, err := im.plan(b, opt)
	if err != nil {
		return nil, err
	}
	var temps []string
	defer func() {
		if err != nil {
			for _, t := range temps {
				os.Remove(t)
			}
		}
	}()
	now := time.Now
	if im.Now != nil {
		now = im.Now
	}
	for _, eco := range plan.order {
		tmp, info, err := im.build(eco, plan, b, opt, now().UTC())
		if tmp != "" {
			temps = append(temps, tmp)
		}
		if err != nil {
			return nil, err
		}
		infos = append(infos, info)
	}
	for i, eco := range plan.order {
		if err := os.Rename(temps[i], filepath.Join(im.Dir, fileName(eco))); err != nil {
			return nil, fmt.Errorf("replace the %s advisories: %w", eco, err)
		}
	}
	syncDir(im.Dir)
	return infos, nil
}

// removeLeftovers deletes the temporary files of imports and downloads
// that a crash left behind; recent ones may belong to a running import.
func removeLeftovers(dir string, before time.Time) {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		n := e.Name()
		if !strings.HasPrefix(n, ".") || !strings.Contains(n, ".tmp-") && !strings.HasPrefix(n, ".download-") {
			continue
		}
		if info, err := e.Info(); err == nil && info.ModTime().Before(before) {
			os.Remove(filepath.Join(dir, n))
		}
	}
}

// syncDir makes the renames durable; where a folder cannot be synced the
// renames are still atomic.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
