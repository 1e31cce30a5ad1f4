package secrets

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// cacheOf reads the only cache file in cacheDir.
func cacheOf(t *testing.T, cacheDir string) (string, cacheFile) {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(cacheDir, "secrets-*.json"))
	if err != nil || len(paths) != 1 {
		t.Fatalf("want one cache file in %s, got %v (%v)", cacheDir, paths, err)
	}
	data, err := os.ReadFile(paths[0])
	if err != nil {
		t.Fatal(err)
	}
	var cf cacheFile
	if err := json.Unmarshal(data, &cf); err != nil {
		t.Fatal(err)
	}
	return paths[0], cf
}

func TestCacheReusesUnchangedFiles(t *testing.T) {
	t.Parallel()
	values := fakeValues()
	dir, cacheDir := t.TempDir(), t.TempDir()
	write(t, dir, "a.js", leakLine())
	write(t, dir, "b.js", "const t = \""+values["GITHUB_PAT"]+"\";\n")
	opt := Options{CacheDir: cacheDir}

	first, _ := run(t, dir, opt)
	if diff := cmp.Diff([]string{"a.js", "b.js"}, files(first.Findings)); diff != "" {
		t.Fatalf("first run (-want +got):\n%s", diff)
	}
	path, cf := cacheOf(t, cacheDir)
	data, _ := os.ReadFile(path)
	for name, v := range values {
		if piece := sharedPiece(string(data), material(v)); piece != "" {
			t.Errorf("the cache holds a piece of %s", name)
		}
	}

	second, _ := run(t, dir, opt)
	if diff := cmp.Diff(findingsJSON(t, first.Findings), findingsJSON(t, second.Findings)); diff != "" {
		t.Errorf("a run from the cache differs (-first +second):\n%s", diff)
	}

	// Doctor the cache so that a.js seems clean: the next run believes it,
	// which shows the cache is read, until a.js changes.
	e := cf.Files["a.js"]
	e.Leaks = nil
	cf.Files["a.js"] = e
	doctored, _ := json.Marshal(cf)
	if err := os.WriteFile(path, doctored, 0o600); err != nil {
		t.Fatal(err)
	}
	third, _ := run(t, dir, opt)
	if diff := cmp.Diff([]string{"b.js"}, files(third.Findings)); diff != "" {
		t.Errorf("the cache was not used (-want +got):\n%s", diff)
	}
	write(t, dir, "a.js", "// changed\n"+leakLine())
	fourth, _ := run(t, dir, opt)
	if diff := cmp.Diff([]string{"a.js", "b.js"}, files(fourth.Findings)); diff != "" {
		t.Errorf("a changed file was not scanned again (-want +got):\n%s", diff)
	}
}

func TestCacheInsideAppNotUsed(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, dir, "a.js", leakLine())
	inside := filepath.Join(dir, "cache")
	out, log := run(t, dir, Options{CacheDir: inside})
	if len(out.Findings) != 1 || !strings.Contains(log, "not using the cache: cache folder") {
		t.Errorf("got %d findings, log:\n%s", len(out.Findings), log)
	}
	if _, err := os.Stat(inside); !os.IsNotExist(err) {
		t.Errorf("a cache was written inside the app's folder (%v)", err)
	}
}

func TestParseCache(t *testing.T) {
	t.Parallel()
	cfg := mustRules(t)
	sum := strings.Repeat("ab", 32)
	good := cachedLeak{Rule: "slack-bot-token", Line: 3, Column: 1, Fingerprint: "0123456789abcdef", Hint: "xoxb-…", Name: "SLACK_BOT_TOKEN", Severity: "critical"}
	file := func(key string, leaks ...cachedLeak) []byte {
		data, _ := json.Marshal(cacheFile{Key: key, Files: map[string]cacheEntry{"a.js": {Sum: sum, Leaks: leaks}}})
		return data
	}
	if got := parseCache(file("k", good), "k", cfg); len(got) != 1 {
		t.Errorf("a valid cache was refused: %v", got)
	}
	if got := parseCache(file("other", good), "k", cfg); got != nil {
		t.Errorf("a cache made under another key was used: %v", got)
	}
	for name, bad := range map[string]cachedLeak{
		"unknown rule": {Rule: "made-up", Fingerprint: good.Fingerprint, Name: good.Name, Severity: good.Severity},
		"free text":    {Rule: good.Rule, Fingerprint: good.Fingerprint, Hint: "look here…", Name: good.Name, Severity: good.Severity},
		"bad name":     {Rule: good.Rule, Fingerprint: good.Fingerprint, Name: "a name", Severity: good.Severity},
		"bad severity": {Rule: good.Rule, Fingerprint: good.Fingerprint, Name: good.Name, Severity: "dire"},
	} {
		if got := parseCache(file("k", bad), "k", cfg); len(got) != 0 {
			t.Errorf("%s: entry accepted", name)
		}
	}
}

// FuzzParseCache: whatever the cache file holds, only well-formed entries
// come out of it.
func FuzzParseCache(f *testing.F) {
	f.Add([]byte(`{"key":"k","files":{"a.js":{"sum":"` + strings.Repeat("ab", 32) + `","leaks":[{"rule":"slack-bot-token","line":3,"column":1,"fingerprint":"0123456789abcdef","hint":"xoxb-…","name":"SLACK_BOT_TOKEN","severity":"critical"}]}}}`))
	f.Add([]byte(`{"key":"k","files":{"../x":{"sum":"00","leaks":null}}}`))
	f.Add([]byte(`[]`))
	cfg := mustRules(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		for rel, e := range parseCache(data, "k", cfg) {
			if !isCleanLocal(rel) || !validEntry(e, cfg) {
				t.Fatalf("kept %q: %+v", rel, e)
			}
		}
	})
}
