package templates

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/manifest"
)

// Options are the facts about a new app that go into its runway.yaml and
// the rest of its files.
type Options struct {
	// Name is the app's name, a DNS label such as expense-approvals.
	Name string
	// Owner is the owning team, a DNS label such as finance.
	Owner string
	// Description says what the app does; empty means the template's.
	Description string
	// Audience is who uses the app.
	Audience runway.Audience
	// Data lists the kinds of data the app handles.
	Data []runway.DataClass
	// Risk is the declared risk; empty means SuggestRisk's.
	Risk runway.RiskLevel
	// ExpectedUsers is roughly how many people will use the app.
	ExpectedUsers int
}

// sensitive are the data classes that make an app high risk on their own.
var sensitive = []runway.DataClass{runway.DataPII, runway.DataFinancial, runway.DataHealth, runway.DataCredentials}

// SuggestRisk proposes a declared risk from who uses an app and what data
// it handles: low for a personal app without data, high for sensitive data
// (pii, financial, health, credentials) or an org-wide or external
// audience, medium otherwise. The platform may still raise it.
func SuggestRisk(a runway.Audience, data []runway.DataClass) runway.RiskLevel {
	for _, d := range data {
		if slices.Contains(sensitive, d) {
			return runway.RiskHigh
		}
	}
	switch {
	case a == runway.AudienceOrg || a == runway.AudienceExternal:
		return runway.RiskHigh
	case a == runway.AudiencePersonal && len(data) == 0:
		return runway.RiskLow
	default:
		return runway.RiskMedium
	}
}

// withDefaults fills what the caller left empty.
func (o Options) withDefaults(t Template) Options {
	if o.Risk == "" {
		o.Risk = SuggestRisk(o.Audience, o.Data)
	}
	if strings.TrimSpace(o.Description) == "" {
		o.Description = t.Description
	}
	return o
}

// Scaffold writes a new app from template t into dir, which it creates if
// missing, and returns the paths it wrote, relative to dir and sorted.
//
// It renders runway.yaml first and validates it with manifest.Parse, so a
// bad name or owner is EINVALID with the manifest's plain-language message
// and nothing is written. It never overwrites: when any file it would write
// already exists, it returns ECONFLICT listing them and writes nothing. A
// template that is not in the catalog is ENOTFOUND.
func Scaffold(t Template, dir string, opt Options) (written []string, err error) {
	ref := t.Ref()
	if t.Version == 0 {
		ref = t.Name
	}
	if t, err = Find(ref); err != nil {
		return nil, err
	}
	files, err := render(t, opt.withDefaults(t))
	if err != nil {
		return nil, err
	}
	if err := checkTarget(dir, files); err != nil {
		return nil, err
	}
	return writeAll(dir, files)
}

// checkTarget refuses a dir that is a file, or that already holds any of
// the files.
func checkTarget(dir string, files []file) error {
	info, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return &runway.Error{Code: runway.EINVALID, Message: fmt.Sprintf("cannot use the folder %s", dir), Err: err}
	case !info.IsDir():
		return runway.Errorf(runway.ECONFLICT, "%s is a file, not a folder. Choose another place for the new app.", dir)
	}
	var conflicts []string
	for _, f := range files {
		if _, err := os.Lstat(filepath.Join(dir, f.path)); !errors.Is(err, fs.ErrNotExist) {
			conflicts = append(conflicts, f.path)
		}
	}
	if len(conflicts) > 0 {
		return runway.Errorf(runway.ECONFLICT,
			"Nothing was written: %s already has %s, which the new app would overwrite (%s). Choose an empty folder, or move these files away first.",
			dir, plural(len(conflicts), "file"), strings.Join(conflicts, ", "))
	}
	return nil
}

// writeAll writes every file into dir. When one write fails it removes what
// it wrote, so a failed scaffold leaves the folder as it found it.
func writeAll(dir string, files []file) (written []string, err error) {
	var created []string // files and folders this call created, in order
	defer func() {
		if err != nil {
			for _, p := range slices.Backward(created) {
				os.Remove(p)
			}
			written = nil
		}
	}()
	for _, f := range files {
		target := filepath.Join(dir, f.path)
		dirs, err := mkdirAll(filepath.Dir(target))
		created = append(created, dirs...)
		if err != nil {
			return nil, writeError(dir, err)
		}
		if err := writeNew(target, f.data, f.mode); err != nil {
			return nil, writeError(dir, err)
		}
		created = append(created, target)
		written = append(written, f.path)
	}
	slices.Sort(written)
	return written, nil
}

// writeError explains a failed write; a file that appeared meanwhile is a
// conflict like any other.
func writeError(dir string, err error) error {
	if errors.Is(err, fs.ErrExist) {
		return &runway.Error{Code: runway.ECONFLICT, Message: fmt.Sprintf("Nothing was written: a file appeared in %s while the app was being created", dir), Err: err}
	}
	return &runway.Error{Code: runway.EINVALID, Message: fmt.Sprintf("cannot write the new app into %s; check that the folder is writable", dir), Err: err}
}

// mkdirAll creates dir and its missing parents, and returns the folders it
// created, outermost first.
func mkdirAll(dir string) ([]string, error) {
	var missing []string
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(d); err == nil || filepath.Dir(d) == d {
			break
		}
		missing = append(missing, d)
	}
	slices.Reverse(missing)
	for i, d := range missing {
		if err := os.Mkdir(d, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
			return missing[:i], err
		}
	}
	return missing, nil
}

// writeNew creates path with data, failing if it already exists.
func writeNew(path string, data []byte, mode fs.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// plural returns "1 file" or "3 files".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// validate parses a rendered runway.yaml as `runway check` will, so bad
// options fail before anything is written.
func validate(data []byte) error {
	if _, err := manifest.Parse(data); err != nil {
		return &runway.Error{Code: runway.EINVALID, Message: "Nothing was written: with these settings the new app's runway.yaml would not be valid", Err: err}
	}
	return nil
}
