package supervisor

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// SourceExcludes are the top-level or nested folder names a build does not
// copy from the app's source, and SourceDigest does not cover: version
// control, installed dependencies (the build installs them afresh from the
// lockfile) and Runway's own check artifacts.
var SourceExcludes = []string{".git", "node_modules", ".runway"}

// TreeDigest returns the digest of the folder dir: "sha256:" and the hex
// SHA-256 of its manifest, one line per regular file or symbolic link,
// sorted by slash-separated path:
//
//	file 644|755 SHA256-OF-CONTENT PATH
//	link SHA256-OF-TARGET PATH
//
// A file is 755 when any execute bit is set. Folders themselves (and so
// empty folders), owners, times and other special files do not count, so
// the same tree hashes the same on any machine. Folders named in exclude
// are skipped wherever they are. Paths holding a newline are refused.
func TreeDigest(dir string, exclude []string) (string, error) {
	type entry struct{ path, line string }
	var entries []entry
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil || rel == "." {
			return err
		}
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if slices.Contains(exclude, d.Name()) {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.ContainsAny(rel, "\n\r") {
			return fmt.Errorf("digest %s: the path %q holds a line break", dir, rel)
		}
		switch {
		case d.Type().IsRegular():
			info, err := d.Info()
			if err != nil {
				return err
			}
			sum, err := fileSHA256(path)
			if err != nil {
				return err
			}
			perm := "644"
			if info.Mode().Perm()&0o111 != 0 {
				perm = "755"
			}
			entries = append(entries, entry{rel, "file " + perm + " " + sum + " " + rel + "\n"})
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(path)
			if err != nil {
				return err
			}
			sum := sha256.Sum256([]byte(target))
			entries = append(entries, entry{rel, "link " + hex.EncodeToString(sum[:]) + " " + rel + "\n"})
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	// WalkDir visits in lexical order of each folder's names, which is not
	// the order of the full paths ("a-b" < "a/b" but "a" is walked first).
	slices.SortFunc(entries, func(a, b entry) int { return strings.Compare(a.path, b.path) })
	h := sha256.New()
	for _, e := range entries {
		io.WriteString(h, e.line)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), nil
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// copyTree copies the folder src into dst (which must not exist), skipping
// the folders named in exclude. Symbolic links are copied as links, never
// followed, so a link cannot pull a file from outside the source into the
// build; sockets, devices and pipes are skipped; permissions keep only the
// rwx bits.
func copyTree(src, dst string, exclude []string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			if rel != "." && slices.Contains(exclude, d.Name()) {
				return filepath.SkipDir
			}
			return os.Mkdir(target, info.Mode().Perm()|0o700)
		case d.Type()&fs.ModeSymlink != 0:
			link, err := os.Readlink(path)
			if err != nil {
				return err
			}
			return os.Symlink(link, target)
		case d.Type().IsRegular():
			return copyFile(path, target, info.Mode().Perm())
		}
		return nil
	})
}

func copyFile(src, dst string, perm fs.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm|0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
