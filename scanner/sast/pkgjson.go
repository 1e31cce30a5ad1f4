package sast

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"

	"github.com/runwayhq/runway"
)

// tlsOffInScript finds NODE_TLS_REJECT_UNAUTHORIZED=0 in a shell command,
// as written in npm scripts ("NODE_TLS_REJECT_UNAUTHORIZED=0 node app.js",
// "cross-env NODE_TLS_REJECT_UNAUTHORIZED=0 ...").
var tlsOffInScript = regexp.MustCompile(`(^|[\s;&|(])NODE_TLS_REJECT_UNAUTHORIZED=["']?0["']?($|[\s;&|)])`)

// maxPackageJSON bounds the package.json files read.
const maxPackageJSON = 4 << 20

// script is one npm script and the line it is on.
type script struct {
	name, command string
	line          int
}

// scanPackageJSON reports npm scripts that turn certificate checks off for
// the whole app. The rule is js/tls-verification-disabled: the same
// problem as the assignment in code.
func scanPackageJSON(root string, files []string) ([]runway.Finding, error) {
	rule, err := ruleByID("js/tls-verification-disabled")
	if err != nil {
		return nil, err
	}
	var out []runway.Finding
	for _, rel := range files {
		data, err := readLimited(filepath.Join(root, filepath.FromSlash(rel)), maxPackageJSON)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", rel, err)
		}
		var hits []hit
		for _, s := range npmScripts(data) {
			if tlsOffInScript.MatchString(s.command) {
				hits = append(hits, hit{
					rule:    rule,
					line:    s.line,
					column:  1,
					snippet: "script " + s.name + " NODE_TLS_REJECT_UNAUTHORIZED=0",
					message: fmt.Sprintf("The npm script %q sets NODE_TLS_REJECT_UNAUTHORIZED=0, which turns certificate checks off for the whole app.", truncate(s.name, 60)),
				})
			}
		}
		out = append(out, findings(rel, hits)...)
	}
	return out, nil
}

// npmScripts reads the "scripts" object of a package.json with the line of
// each entry. A file that is not valid JSON gives what was read before the
// mistake: npm itself reports broken files.
func npmScripts(data []byte) []script {
	dec := json.NewDecoder(bytes.NewReader(data))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return nil
		}
		if key != "scripts" {
			if skipValue(dec) != nil {
				return nil
			}
			continue
		}
		return readScripts(dec, data)
	}
	return nil
}

// readScripts reads the object that follows "scripts".
func readScripts(dec *json.Decoder, data []byte) []script {
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil
	}
	var out []script
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return out
		}
		name, _ := key.(string)
		line := lineAt(data, dec.InputOffset())
		val, err := dec.Token()
		if err != nil {
			return out
		}
		if cmd, ok := val.(string); ok {
			out = append(out, script{name: name, command: cmd, line: line})
		} else if d, ok := val.(json.Delim); ok && (d == '{' || d == '[') {
			if skipRest(dec) != nil {
				return out
			}
		}
	}
	return out
}

// skipValue reads past one JSON value.
func skipValue(dec *json.Decoder) error {
	t, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := t.(json.Delim); ok && (d == '{' || d == '[') {
		return skipRest(dec)
	}
	return nil
}

// skipRest reads to the end of the object or array just opened.
func skipRest(dec *json.Decoder) error {
	for depth := 1; depth > 0; {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		if d, ok := t.(json.Delim); ok {
			switch d {
			case '{', '[':
				depth++
			case '}', ']':
				depth--
			}
		}
	}
	return nil
}

// lineAt returns the line (from 1) of the first non-space byte at or after
// offset.
func lineAt(data []byte, offset int64) int {
	i := int(min(offset, int64(len(data))))
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r' || data[i] == ':') {
		i++
	}
	return bytes.Count(data[:min(i, len(data))], []byte("\n")) + 1
}

// readLimited reads a file of at most max bytes.
func readLimited(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, errors.New("the file is too large to be a package.json")
	}
	return data, nil
}

// ruleByID returns a built-in rule.
func ruleByID(id string) (*ruleSpec, error) {
	f, err := builtin()
	if err != nil {
		return nil, err
	}
	for i := range f.Rules {
		if f.Rules[i].ID == id {
			return &f.Rules[i], nil
		}
	}
	return nil, fmt.Errorf("no rule %s", id)
}
