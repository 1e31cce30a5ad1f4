// Package sourcepack packs an app's source into a deterministic archive
// that travels with a release candidate, so the platform builds exactly
// what was checked: the archive's digest is the candidate's source digest.
//
// The digest is SHA-256 over "path\x00sha256(content)\n" for each file in
// path order, the same whether computed from a folder or an archive. The
// archive is a gzip-compressed tar with sorted entries, no owners, fixed
// times and modes 0644 or 0755: packing the same files twice gives the same
// bytes. Reading an archive refuses absolute paths, "..", links, devices,
// duplicate paths, and archives beyond the limits (size, files, expanded
// bytes), so a hostile archive can neither escape the folder it is
// extracted to nor exhaust the disk.
//
// sourcepack imports only the root package.
package sourcepack

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/runwayhq/runway"
)

// Limits bound what an archive may hold.
type Limits struct {
	// Archive is the largest compressed archive, in bytes.
	Archive int64
	// Expanded is the most its files may hold together, in bytes.
	Expanded int64
	// Files is the most files it may hold.
	Files int
}

// DefaultLimits suit a micro app's source (not its dependencies, which are
// installed at build time).
var DefaultLimits = Limits{Archive: 20 << 20, Expanded: 200 << 20, Files: 20000}

// File is one file to pack: its slash-separated path relative to the
// app's folder, and whether it is executable.
type File struct {
	Path       string
	Executable bool
}

// epoch is the time every entry carries, so that archives are
// reproducible.
var epoch = time.Unix(0, 0).UTC()

// Pack reads files from dir and returns the archive and the source digest.
// Files that vanished since they were listed are left out.
func Pack(dir string, files []File, lim Limits) ([]byte, string, error) {
	files = slices.Clone(files)
	slices.SortFunc(files, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
	var buf bytes.Buffer
	gz, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	tw := tar.NewWriter(gz)
	d := newDigest()
	var expanded int64
	n := 0
	for _, f := range files {
		if err := checkPath(f.Path); err != nil {
			return nil, "", err
		}
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f.Path)))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		} else if err != nil {
			return nil, "", err
		}
		n++
		expanded += int64(len(data))
		if n > lim.Files || expanded > lim.Expanded {
			return nil, "", tooBig(lim)
		}
		mode := int64(0o644)
		if f.Executable {
			mode = 0o755
		}
		hdr := &tar.Header{Name: f.Path, Mode: mode, Size: int64(len(data)), ModTime: epoch, Typeflag: tar.TypeReg, Format: tar.FormatPAX}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, "", err
		}
		if _, err := tw.Write(data); err != nil {
			return nil, "", err
		}
		d.add(f.Path, data)
	}
	if err := tw.Close(); err != nil {
		return nil, "", err
	}
	if err := gz.Close(); err != nil {
		return nil, "", err
	}
	if int64(buf.Len()) > lim.Archive {
		return nil, "", tooBig(lim)
	}
	return buf.Bytes(), d.sum(), nil
}

// Digest computes the source digest of files in dir without packing them.
func Digest(dir string, files []File) (string, error) {
	_, sum, err := Pack(dir, files, Limits{Archive: 1 << 62, Expanded: 1 << 62, Files: 1 << 30})
	return sum, err
}

// Walk reads an archive, checks every entry and calls fn with each file in
// archive order; it returns the source digest. Errors are EINVALID and say
// what is wrong with the archive.
func Walk(archive []byte, lim Limits, fn func(f File, data []byte) error) (string, error) {
	if int64(len(archive)) > lim.Archive {
		return "", tooBig(lim)
	}
	gz, err := gzip.NewReader(bytes.NewReader(archive))
	if err != nil {
		return "", bad("it is not a gzip file: %v", err)
	}
	tr := tar.NewReader(gz)
	d := newDigest()
	seen := map[string]bool{}
	var expanded int64
	last := ""
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", bad("it is not a valid tar archive: %v", err)
		}
		if hdr.Typeflag != tar.TypeReg {
			return "", bad("entry %q is not a regular file (links, folders and devices are not accepted)", hdr.Name)
		}
		if err := checkPath(hdr.Name); err != nil {
			return "", err
		}
		if seen[hdr.Name] || hdr.Name < last {
			return "", bad("entry %q is repeated or out of order", hdr.Name)
		}
		seen[hdr.Name], last = true, hdr.Name
		expanded += hdr.Size
		if len(seen) > lim.Files || expanded > lim.Expanded || hdr.Size < 0 {
			return "", tooBig(lim)
		}
		data, err := io.ReadAll(io.LimitReader(tr, hdr.Size+1))
		if err != nil {
			return "", bad("entry %q cannot be read: %v", hdr.Name, err)
		}
		if int64(len(data)) != hdr.Size {
			return "", bad("entry %q is cut short", hdr.Name)
		}
		d.add(hdr.Name, data)
		if fn != nil {
			if err := fn(File{Path: hdr.Name, Executable: hdr.Mode&0o111 != 0}, data); err != nil {
				return "", err
			}
		}
	}
	return d.sum(), nil
}

// Extract writes an archive's files under dir (which should be new and
// empty) and returns the source digest.
func Extract(archive []byte, dir string, lim Limits) (string, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return "", err
	}
	defer root.Close()
	return Walk(archive, lim, func(f File, data []byte) error {
		if i := strings.LastIndexByte(f.Path, '/'); i > 0 {
			if err := root.MkdirAll(f.Path[:i], 0o755); err != nil {
				return err
			}
		}
		mode := os.FileMode(0o644)
		if f.Executable {
			mode = 0o755
		}
		return root.WriteFile(f.Path, data, mode)
	})
}

// checkPath accepts clean, relative, slash-separated paths inside the
// folder.
func checkPath(p string) error {
	if p == "" || strings.HasPrefix(p, "/") || strings.Contains(p, "\\") || path.Clean(p) != p || p == ".." || strings.HasPrefix(p, "../") || strings.ContainsRune(p, 0) {
		return bad("path %q is not a clean path inside the app's folder", p)
	}
	return nil
}

func bad(format string, args ...any) error {
	return &runway.Error{Code: runway.EINVALID, Message: "the source archive is not acceptable: " + fmt.Sprintf(format, args...)}
}

func tooBig(lim Limits) error {
	return runway.Errorf(runway.EINVALID, "the source is too big to submit: at most %d files, %d MB of files and a %d MB archive; keep installed dependencies and build output out of it (they are rebuilt by the platform)",
		lim.Files, lim.Expanded>>20, lim.Archive>>20)
}

type hasher interface {
	Write([]byte) (int, error)
	Sum([]byte) []byte
}

// sourceDigest accumulates the source digest.
type sourceDigest struct{ h hasher }

func newDigest() *sourceDigest { return &sourceDigest{h: sha256.New()} }

func (d *sourceDigest) add(p string, data []byte) {
	sum := sha256.Sum256(data)
	fmt.Fprintf(d.h, "%s\x00%s\n", p, hex.EncodeToString(sum[:]))
}

func (d *sourceDigest) sum() string { return "sha256:" + hex.EncodeToString(d.h.Sum(nil)) }
