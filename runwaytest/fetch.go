package runwaytest

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Official schemas (SARIF, CycloneDX, SPDX) are fetched when a test first
// needs them, through the package registries CI can reach, pinned by
// sha256 and kept in the user's cache; they are never committed. A fetch
// that fails fails the test, never skips it: CI has npm and Go, and an
// artifact that does not match its official schema is a broken release.

// NPMFile returns the file member (such as "package/lib/x.json") of the
// npm package pkg ("name@version"), checked against sha256hex.
func NPMFile(t testing.TB, pkg, member, sha256hex string) []byte {
	t.Helper()
	dir := cacheDir(t)
	name := cacheName(pkg, member)
	if data, ok := cached(dir, name, sha256hex); ok {
		return data
	}
	tarball := filepath.Join(dir, tarballName(pkg))
	if _, err := os.Stat(tarball); err != nil {
		fetch(t, dir, "npm", "pack", "--silent", pkg)
	}
	data, err := untarMember(tarball, member)
	if err != nil {
		t.Fatalf("read %s from the npm package %s: %v", member, pkg, err)
	}
	return keep(t, dir, name, data, sha256hex, pkg)
}

// GoModuleFile returns the file path of the Go module mod
// ("path@version"), downloaded with `go mod download`, checked against
// sha256hex.
func GoModuleFile(t testing.TB, mod, path, sha256hex string) []byte {
	t.Helper()
	dir := cacheDir(t)
	name := cacheName(mod, path)
	if data, ok := cached(dir, name, sha256hex); ok {
		return data
	}
	var m struct{ Dir string }
	if err := json.Unmarshal(fetch(t, dir, "go", "mod", "download", "-json", mod), &m); err != nil || m.Dir == "" {
		t.Fatalf("go mod download %s gave no folder: %v", mod, err)
	}
	data, err := os.ReadFile(filepath.Join(m.Dir, path))
	if err != nil {
		t.Fatal(err)
	}
	return keep(t, dir, name, data, sha256hex, mod)
}

func cacheDir(t testing.TB) string {
	t.Helper()
	base, err := os.UserCacheDir()
	if err != nil {
		t.Fatalf("no cache folder for downloaded test files: %v", err)
	}
	dir := filepath.Join(base, "runway-test")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// cacheName is a file name for one member of one package version.
func cacheName(pkg, member string) string {
	return strings.NewReplacer("/", "_", "@", "_").Replace(pkg + "_" + member)
}

// tarballName is what `npm pack` names the tarball of pkg:
// "@scope/name@1.0.0" → "scope-name-1.0.0.tgz".
func tarballName(pkg string) string {
	i := strings.LastIndex(pkg, "@")
	name, version := pkg[:i], pkg[i+1:]
	name = strings.ReplaceAll(strings.TrimPrefix(name, "@"), "/", "-")
	return name + "-" + version + ".tgz"
}

func cached(dir, name, want string) ([]byte, bool) {
	data, err := os.ReadFile(filepath.Join(dir, name))
	return data, err == nil && sha(data) == want
}

// keep checks data's sha256 and stores it in the cache through a
// temporary file, so that parallel tests never read half a file.
func keep(t testing.TB, dir, name string, data []byte, want, from string) []byte {
	t.Helper()
	if got := sha(data); got != want {
		t.Fatalf("%s from %s has sha256 %s, want %s: the package changed or the download is corrupt", name, from, got, want)
	}
	tmp, err := os.CreateTemp(dir, name+".*")
	if err != nil {
		t.Fatal(err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := tmp.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, name)); err != nil {
		t.Fatal(err)
	}
	return data
}

// fetch runs a download command in dir and returns its output.
func fetch(t testing.TB, dir string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("cannot download a test file: `%s` in %s failed: %v\n%s\nThis test needs npm, the go command and access to their registries.",
			strings.Join(args, " "), dir, err, stderr.String())
	}
	return out
}

func sha(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// untarMember returns one file of a .tgz.
func untarMember(tgz, name string) ([]byte, error) {
	f, err := os.Open(tgz)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil, fmt.Errorf("%s has no %s", tgz, name)
		}
		if err != nil {
			return nil, err
		}
		if h.Name == name {
			return io.ReadAll(io.LimitReader(tr, 8<<20))
		}
	}
}
