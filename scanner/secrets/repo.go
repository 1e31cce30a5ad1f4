package secrets

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strconv"
	"strings"
)

// repo is the git repository an app's folder belongs to.
type repo struct {
	// top is the work tree's top folder, absolute.
	top string
	// commonDir holds info/exclude: the .git folder or, for a linked work
	// tree, the main repository's.
	commonDir string
	// prefix is the app's folder relative to top, as path elements; empty
	// when the app is the whole repository.
	prefix []string
}

// findRepo looks for .git in dir and its parents, as git does. It returns
// nil and no error when dir is not in a git work tree.
func findRepo(dir string) (*repo, error) {
	dir, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return nil, fmt.Errorf("resolve %s: %w", dir, err)
	}
	for d := dir; ; {
		dotGit := filepath.Join(d, ".git")
		st, err := os.Lstat(dotGit)
		switch {
		case err == nil:
			common, err := commonDir(dotGit, st)
			if err != nil {
				return nil, err
			}
			rel, err := filepath.Rel(d, dir)
			if err != nil {
				return nil, fmt.Errorf("locate %s in %s: %w", dir, d, err)
			}
			return &repo{top: d, commonDir: common, prefix: splitPath(filepath.ToSlash(rel))}, nil
		case !errors.Is(err, fs.ErrNotExist):
			return nil, fmt.Errorf("look for a git repository: %w", err)
		}
		parent := filepath.Dir(d)
		if parent == d {
			return nil, nil
		}
		d = parent
	}
}

// commonDir returns the folder holding info/exclude for the .git entry at
// dotGit: itself when it is a folder, else the folder its "gitdir:" line
// names (or that folder's commondir, for a linked work tree).
func commonDir(dotGit string, st fs.FileInfo) (string, error) {
	if st.IsDir() {
		return dotGit, nil
	}
	data, err := readSmall(dotGit)
	if err != nil {
		return "", err
	}
	gitDir, err := parseGitFile(data)
	if err != nil {
		return "", fmt.Errorf("read %s: %w", dotGit, err)
	}
	if !filepath.IsAbs(gitDir) {
		gitDir = filepath.Join(filepath.Dir(dotGit), gitDir)
	}
	if data, err := readSmall(filepath.Join(gitDir, "commondir")); err == nil {
		if c := strings.TrimSpace(string(data)); c != "" && !strings.ContainsRune(c, 0) {
			if !filepath.IsAbs(c) {
				c = filepath.Join(gitDir, c)
			}
			return filepath.Clean(c), nil
		}
	}
	return filepath.Clean(gitDir), nil
}

// readSmall reads at most 4 KiB of a file: the .git files it reads are one
// line long.
func readSmall(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, 4<<10))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return data, nil
}

// parseGitFile returns the path on the "gitdir: PATH" line that linked work
// trees and submodules have in a .git file instead of a .git folder.
func parseGitFile(data []byte) (string, error) {
	line, _, _ := strings.Cut(string(data), "\n")
	p, ok := strings.CutPrefix(strings.TrimRight(line, " \t\r"), "gitdir:")
	p = strings.TrimLeft(p, " \t")
	if !ok || p == "" || strings.ContainsRune(p, 0) {
		return "", errors.New(`no "gitdir:" line`)
	}
	return p, nil
}

// splitPath splits a slash-separated relative path into its elements;
// "." and "" give none.
func splitPath(rel string) []string {
	if rel == "." || rel == "" {
		return nil
	}
	return strings.Split(rel, "/")
}

// git runs the git command in dir and returns what it printed. Its error
// carries git's first line of complaint, which names paths, never contents.
func git(ctx context.Context, dir string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", dir}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		msg, _, _ := strings.Cut(strings.TrimSpace(stderr.String()), "\n")
		return nil, fmt.Errorf("git %s: %w (%s)", args[0], err, msg)
	}
	return out, nil
}

// trackedIgnored lists the files under dir that git tracks although an
// ignore rule matches them: committed files are scanned whatever .gitignore
// says.
func trackedIgnored(ctx context.Context, dir string) ([]string, error) {
	out, err := git(ctx, dir, "ls-files", "-z", "--cached", "--ignored", "--exclude-standard")
	if err != nil {
		return nil, err
	}
	return parseFileList(out), nil
}

// parseFileList splits git's NUL-separated list of paths, relative to the
// folder git ran in, dropping any path that would leave it.
func parseFileList(out []byte) []string {
	var files []string
	for _, p := range strings.Split(string(out), "\x00") {
		if isCleanLocal(p) {
			files = append(files, p)
		}
	}
	return files
}

// isCleanLocal reports whether p is a clean relative path with forward
// slashes that stays inside its folder, as git prints them.
func isCleanLocal(p string) bool {
	return p != "" && path.Clean(p) == p && filepath.IsLocal(p) && !strings.Contains(p, "\\")
}

// historyPlace says where the app's folder is in its repository and
// whether the clone is shallow (its history cut short).
func historyPlace(ctx context.Context, dir string) (prefix string, shallow bool, err error) {
	out, err := git(ctx, dir, "rev-parse", "--show-prefix", "--is-shallow-repository")
	if err != nil {
		return "", false, err
	}
	return parseRevParse(out)
}

// parseRevParse reads the two lines `git rev-parse --show-prefix
// --is-shallow-repository` prints: the prefix (empty at the top, else
// ending in a slash) and "true" or "false".
func parseRevParse(out []byte) (prefix string, shallow bool, err error) {
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(lines) != 2 {
		return "", false, fmt.Errorf("unexpected git rev-parse output (%d lines)", len(lines))
	}
	prefix = lines[0]
	if prefix != "" && (!strings.HasSuffix(prefix, "/") || !isCleanLocal(strings.TrimSuffix(prefix, "/"))) {
		return "", false, errors.New("unexpected git rev-parse prefix")
	}
	shallow, err = strconv.ParseBool(lines[1])
	if err != nil {
		return "", false, errors.New("unexpected git rev-parse shallow flag")
	}
	return prefix, shallow, nil
}

// commitCount counts the commits of every branch and tag that touch dir.
func commitCount(ctx context.Context, dir string) (int, error) {
	out, err := git(ctx, dir, "rev-list", "--count", "--full-history", "--all", "--", ".")
	if err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil || n < 0 {
		return 0, errors.New("unexpected git rev-list output")
	}
	return n, nil
}
