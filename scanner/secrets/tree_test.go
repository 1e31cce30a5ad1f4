package secrets

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/runwayhq/runway"
)

// gitCmd runs git in dir for a test, with a fixed identity, fixed dates
// and no user or system configuration, so that commit hashes are the same
// on every machine.
func gitCmd(t testing.TB, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	date := "2026-01-02T03:04:05Z"
	cmd.Env = append(os.Environ(),
		"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=Runway Test", "GIT_AUTHOR_EMAIL=test@runway.invalid", "GIT_AUTHOR_DATE="+date,
		"GIT_COMMITTER_NAME=Runway Test", "GIT_COMMITTER_EMAIL=test@runway.invalid", "GIT_COMMITTER_DATE="+date,
	)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// gitInit makes dir a repository with one branch, main.
func gitInit(t testing.TB, dir string) {
	t.Helper()
	gitCmd(t, dir, "init", "-q", "-b", "main")
}

// commit stages everything in dir and commits it.
func commit(t testing.TB, dir, msg string) string {
	t.Helper()
	gitCmd(t, dir, "add", "-A")
	gitCmd(t, dir, "commit", "-q", "--no-gpg-sign", "-m", msg)
	return gitCmd(t, dir, "rev-parse", "HEAD")
}

// files lists the files that findings name, sorted.
func files(fs []runway.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.File)
	}
	slices.Sort(out)
	return out
}

// leakLine is a line of code that gitleaks reports.
func leakLine() string {
	return "const slack = new WebClient(\"" + fakeValues()["SLACK_BOT_TOKEN"] + "\");\n"
}

func TestIgnoreRules(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, dir, ".gitignore", "\xef\xbb\xbf# logs and local files\r\n*.log\r\n!keep.log\r\nsecrets/\r\n")
	write(t, dir, "sub/.gitignore", "local.json\n/only-here.js\n")
	for _, f := range []string{"app.log", "keep.log", "secrets/a.txt", "sub/local.json", "sub/deeper/local.json",
		"sub/only-here.js", "sub/deeper/only-here.js", "other/local.json", "src/x.js"} {
		write(t, dir, f, leakLine())
	}
	out, _ := run(t, dir, Options{})
	want := []string{"keep.log", "other/local.json", "src/x.js", "sub/deeper/only-here.js"}
	if diff := cmp.Diff(want, files(out.Findings)); diff != "" {
		t.Errorf("files with findings (-want +got):\n%s", diff)
	}
}

func TestIgnoreRulesInRepository(t *testing.T) {
	t.Parallel()
	top := t.TempDir()
	gitInit(t, top)
	write(t, top, ".gitignore", "apps/*/generated/\n")
	write(t, top, ".git/info/exclude", "*.bak\n")
	app := filepath.Join(top, "apps", "expense")
	write(t, app, ".gitignore", "tmp/\ndist/\n")
	for _, f := range []string{"generated/a.js", "x.bak", "tmp/a.js", "dist/forced.js", "dist/other.js", "src/ok.js"} {
		write(t, app, f, leakLine())
	}
	gitCmd(t, app, "add", "-f", "dist/forced.js")
	out, log := run(t, app, Options{})
	want := []string{"dist/forced.js", "src/ok.js"}
	if diff := cmp.Diff(want, files(out.Findings)); diff != "" {
		t.Errorf("files with findings (-want +got):\n%s\nlog:\n%s", diff, log)
	}
}

func TestLinkedWorkTree(t *testing.T) {
	t.Parallel()
	main := t.TempDir()
	gitInit(t, main)
	write(t, main, "README.md", "hello\n")
	commit(t, main, "first")
	write(t, main, ".git/info/exclude", "*.bak\n")
	wt := filepath.Join(t.TempDir(), "wt")
	gitCmd(t, main, "worktree", "add", "-q", wt)
	write(t, wt, "x.bak", leakLine())
	write(t, wt, "src/ok.js", leakLine())
	out, _ := run(t, wt, Options{})
	if diff := cmp.Diff([]string{"src/ok.js"}, files(out.Findings)); diff != "" {
		t.Errorf("files with findings (-want +got):\n%s", diff)
	}
}

func TestVendoredFolders(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, dir, ".gitignore", "node_modules/\n")
	write(t, dir, "node_modules/pkg/index.js", leakLine())
	write(t, dir, "node_modules/pkg/node_modules/inner/index.js", leakLine())
	write(t, dir, "vendor/lib/x.php", leakLine())
	write(t, dir, "bower_components/old/x.js", leakLine())
	write(t, dir, "src/app.js", "ok();\n")

	out, log := run(t, dir, Options{})
	if len(out.Findings) != 0 || out.Details["files_scanned"] != 2 {
		t.Errorf("vendored code scanned by default: %d findings, %v files", len(out.Findings), out.Details["files_scanned"])
	}
	if !strings.Contains(log, "skipped vendored folders (scan them with --include-vendored): bower_components, node_modules, vendor") {
		t.Errorf("log does not name the skipped folders:\n%s", log)
	}

	out, _ = run(t, dir, Options{IncludeVendored: true})
	want := []string{"bower_components/old/x.js", "node_modules/pkg/index.js", "node_modules/pkg/node_modules/inner/index.js", "vendor/lib/x.php"}
	if diff := cmp.Diff(want, files(out.Findings)); diff != "" {
		t.Errorf("with IncludeVendored (-want +got):\n%s", diff)
	}
}

func TestGeneratedFoldersSkipped(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, dir, ".runway/report.json", leakLine())
	write(t, dir, "artifacts/report.json", leakLine())
	write(t, dir, "src/app.js", "ok();\n")
	var log strings.Builder
	ws := &runway.Workspace{Dir: dir, OutDir: filepath.Join(dir, "artifacts")}
	out := New(Options{}).Run(t.Context(), ws, &log)
	if len(out.Findings) != 0 || out.Details["files_scanned"] != 1 {
		t.Errorf("generated folders scanned: %d findings, %v files", len(out.Findings), out.Details["files_scanned"])
	}
}

func TestSymlinksNotFollowed(t *testing.T) {
	t.Parallel()
	outside := t.TempDir()
	write(t, outside, "leak.js", leakLine())
	dir := t.TempDir()
	write(t, dir, "src/app.js", "ok();\n")
	if err := os.Symlink(filepath.Join(outside, "leak.js"), filepath.Join(dir, "link.js")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "linked-dir")); err != nil {
		t.Fatal(err)
	}
	out, _ := run(t, dir, Options{})
	if len(out.Findings) != 0 {
		t.Errorf("followed a symlink out of the app's folder:\n%s", findingsJSON(t, out.Findings))
	}
}
