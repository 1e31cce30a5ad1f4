package secrets

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/runwayhq/runway"
)

// TestNoValueInOutput runs the check, with history and vendored code, on
// the fixture app turned into a repository whose history holds removed
// keys, and looks for every planted value and decoy in everything the check
// produces: findings, summary, details, log, and whatever reaches the
// process's standard output and error. No 8-character piece of any value
// may appear, in any case.
func TestNoValueInOutput(t *testing.T) {
	values := fakeValues()
	dir := buildApp(t, values)
	gitInit(t, dir)
	commit(t, dir, "The app, keys and all")
	for _, f := range []string{"src/server.js", "src/github.js"} {
		write(t, dir, f, "module.exports = process.env;\n")
	}
	commit(t, dir, "Move two keys to the environment")

	var out runway.CheckOutcome
	var log string
	printed := captureOutput(t, func() {
		out, log = run(t, dir, Options{History: true, IncludeVendored: true})
	})
	// Seven planted keys left in the tree, the one in node_modules, and the
	// two moved out of the tree but kept by the history.
	if want := "10 secrets found in 9 files (2 only in the git history)."; out.Summary != want {
		t.Fatalf("summary = %q, want %q", out.Summary, want)
	}
	if printed != "" {
		t.Errorf("the scan printed to stdout or stderr:\n%s", printed)
	}
	details, err := json.Marshal(out.Details)
	if err != nil {
		t.Fatal(err)
	}
	everything := strings.Join([]string{string(findingsJSON(t, out.Findings)), out.Summary, string(details), log, printed}, "\n")
	for name, v := range values {
		if piece := sharedPiece(everything, material(v)); piece != "" {
			t.Errorf("a piece of %s (%d characters at offset %d) appears in the check's output", name, len(piece), strings.Index(strings.ToLower(material(v)), strings.ToLower(piece)))
		}
	}
}

func TestNoValueInErrors(t *testing.T) {
	t.Parallel()
	values := fakeValues()
	// A repository whose history cannot be read: its only ref points at a
	// missing commit. The error must say so without quoting any file.
	dir := buildApp(t, values)
	gitInit(t, dir)
	commit(t, dir, "keys")
	write(t, dir, ".git/refs/heads/broken", strings.Repeat("ab", 20)+"\n")
	out, log := run(t, dir, Options{History: true})
	if out.Status != runway.StatusError {
		t.Fatalf("want an error for a broken repository, got %s %q", out.Status, out.Summary)
	}
	for name, v := range values {
		if piece := sharedPiece(out.Summary+"\n"+log, material(v)); piece != "" {
			t.Errorf("a piece of %s appears in the error or log", name)
		}
	}
}

// pemArmor matches the public header and footer lines of a PEM block.
var pemArmor = regexp.MustCompile(`-----(?:BEGIN|END) [A-Z ]+-----`)

// material is the part of a value that must stay secret: all of it, but
// the public armor lines of a PEM block.
func material(v string) string { return pemArmor.ReplaceAllString(v, "") }

// sharedPiece returns the first 8-character piece of value (ignoring case
// and line breaks) that text contains, or "".
func sharedPiece(text, value string) string {
	text = strings.ToLower(text)
	value = strings.ToLower(strings.ReplaceAll(value, "\n", ""))
	for i := 0; i+8 <= len(value); i++ {
		if strings.Contains(text, value[i:i+8]) {
			return value[i : i+8]
		}
	}
	return ""
}

// captureOutput runs f with the process's standard output and error (the
// file descriptors, which gitleaks' logger holds) sent to a pipe, and
// returns what was written.
func captureOutput(t *testing.T, f func()) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	var saved [2]int
	for i, fd := range []int{1, 2} {
		if saved[i], err = syscall.Dup(fd); err != nil {
			t.Fatal(err)
		}
		if err := syscall.Dup3(int(w.Fd()), fd, 0); err != nil {
			t.Fatal(err)
		}
	}
	done := make(chan []byte)
	go func() {
		data, _ := io.ReadAll(r)
		done <- data
	}()
	f()
	for i, fd := range []int{1, 2} {
		if err := syscall.Dup3(saved[i], fd, 0); err != nil {
			t.Fatal(err)
		}
		syscall.Close(saved[i])
	}
	w.Close()
	return string(bytes.TrimSpace(<-done))
}
