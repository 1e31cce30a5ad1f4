package osv

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"path/filepath"
	"strings"

	"github.com/runwayhq/runway"
)

// Limits bound what an import reads, so that a hostile or broken archive
// (a decompression bomb, millions of entries) is refused instead of
// exhausting the disk or memory. Zero fields take the defaults.
type Limits struct {
	// MaxEntries bounds the entries of one archive (default 2,000,000:
	// osv.dev's largest archive, npm's, holds a few hundred thousand).
	MaxEntries int
	// MaxEntrySize bounds one entry, uncompressed (default MaxRecordSize).
	MaxEntrySize int64
	// MaxTotalSize bounds one archive, uncompressed (default 8 GiB).
	MaxTotalSize int64
	// MaxRatio bounds how much one entry of more than 64 KiB may expand
	// (uncompressed ÷ compressed; default 200). JSON advisories expand 5 to
	// 20 times; a bomb expands a thousand times.
	MaxRatio int64
}

// DefaultLimits are the limits of an import when none are set.
var DefaultLimits = Limits{MaxEntries: 2_000_000, MaxEntrySize: MaxRecordSize, MaxTotalSize: 8 << 30, MaxRatio: 200}

// ratioFloor is the size below which an entry's ratio is not checked: a
// small entry cannot be a bomb.
const ratioFloor = 64 << 10

func (l Limits) orDefault() Limits {
	d := DefaultLimits
	if l.MaxEntries > 0 {
		d.MaxEntries = l.MaxEntries
	}
	if l.MaxEntrySize > 0 {
		d.MaxEntrySize = l.MaxEntrySize
	}
	if l.MaxTotalSize > 0 {
		d.MaxTotalSize = l.MaxTotalSize
	}
	if l.MaxRatio > 0 {
		d.MaxRatio = l.MaxRatio
	}
	return d
}

// refuse is the error of an archive Runway will not read.
func refuse(name, format string, args ...any) error {
	return runway.Errorf(runway.EINVALID, "refusing %s: %s", name, fmt.Sprintf(format, args...))
}

// readArchive calls fn with every JSON entry of an OSV archive (osv.dev's
// per-ecosystem all.zip), after checking the whole archive against the
// limits: entry count, declared sizes and ratios, names that would escape
// a folder (zip slip), links. While reading, an entry that inflates past
// its declared size is refused too.
func readArchive(ctx context.Context, r io.ReaderAt, size int64, name string, lim Limits, fn func(entry string, data []byte) error) error {
	zr, err := zip.NewReader(r, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return refuse(name, "it is not a readable zip archive (%v)", err)
	}
	if err := checkArchive(zr, name, lim); err != nil {
		return err
	}
	for _, f := range zr.File {
		if f.FileInfo().IsDir() || !strings.HasSuffix(strings.ToLower(f.Name), ".json") {
			continue
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		data, err := readEntry(f, name)
		if err != nil {
			return err
		}
		if err := fn(f.Name, data); err != nil {
			return err
		}
	}
	return nil
}

// checkArchive checks what the archive declares before inflating anything.
func checkArchive(zr *zip.Reader, name string, lim Limits) error {
	if len(zr.File) > lim.MaxEntries {
		return refuse(name, "it holds %d entries, more than the limit of %d", len(zr.File), lim.MaxEntries)
	}
	var total uint64
	for _, f := range zr.File {
		if !safeEntryName(f.Name) {
			return refuse(name, "entry %q points outside the archive's folder (a zip-slip path)", f.Name)
		}
		if !f.Mode().IsRegular() && !f.FileInfo().IsDir() {
			return refuse(name, "entry %q is a link or a special file, which OSV archives never hold", f.Name)
		}
		if f.UncompressedSize64 > uint64(lim.MaxEntrySize) {
			return refuse(name, "entry %q would expand to %d bytes, more than the limit of %d per entry (a decompression bomb?)", f.Name, f.UncompressedSize64, lim.MaxEntrySize)
		}
		if f.UncompressedSize64 > ratioFloor && f.UncompressedSize64 > f.CompressedSize64*uint64(lim.MaxRatio) {
			return refuse(name, "entry %q would expand %d times, more than the limit of %d (a decompression bomb?)", f.Name, f.UncompressedSize64/max(1, f.CompressedSize64), lim.MaxRatio)
		}
		total += f.UncompressedSize64
		if total > uint64(lim.MaxTotalSize) {
			return refuse(name, "it would expand to more than %d bytes, the limit for one archive (a decompression bomb?)", lim.MaxTotalSize)
		}
	}
	return nil
}

// safeEntryName is false for names that would escape a folder if written
// out: absolute, with "..", with a drive or with backslashes.
func safeEntryName(n string) bool {
	if n == "" || strings.Contains(n, `\`) || strings.HasPrefix(n, "/") || strings.Contains(n, ":") {
		return false
	}
	clean := strings.TrimSuffix(n, "/")
	return filepath.IsLocal(clean) && !strings.HasPrefix(path.Clean(clean), "../")
}

// readEntry inflates one entry, refusing it when it holds more than it
// declares.
func readEntry(f *zip.File, name string) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, refuse(name, "entry %q cannot be read (%v)", f.Name, err)
	}
	defer rc.Close()
	// archive/zip stops at the declared size too (zip.ErrFormat); the
	// limit here does not rely on it.
	data, err := io.ReadAll(io.LimitReader(rc, int64(f.UncompressedSize64)+1))
	switch {
	case uint64(len(data)) > f.UncompressedSize64 || errors.Is(err, zip.ErrFormat):
		return nil, refuse(name, "entry %q holds more than the %d bytes it declares (a decompression bomb?)", f.Name, f.UncompressedSize64)
	case err != nil:
		return nil, refuse(name, "entry %q is damaged (%v)", f.Name, err)
	}
	return data, nil
}
