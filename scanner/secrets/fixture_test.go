package secrets

import (
	"encoding/base64"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The fixture app's values are built here, not written in testdata, so that
// the repository holds nothing that looks like a leak to other scanners.
// They are fake, but shaped to pass gitleaks' patterns and entropy checks,
// and the same on every run (a seeded generator) so that fingerprints in
// the golden file hold.

const (
	digits   = "0123456789"
	alnum    = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	base32ch = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
)

// fakeValues returns the planted secrets (keys ending in the rule they
// must trip) and the decoys, by template name.
func fakeValues() map[string]string {
	r := rand.New(rand.NewChaCha8([32]byte{'r', 'u', 'n', 'w', 'a', 'y'}))
	pick := func(set string, n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = set[r.IntN(len(set))]
		}
		return string(b)
	}
	key := make([]byte, 600)
	for i := range key {
		key[i] = byte(r.IntN(256))
	}
	return map[string]string{
		"SLACK_BOT_TOKEN":       "xoxb-" + pick(digits, 12) + "-" + pick(digits, 13) + "-" + pick(alnum, 24),
		"SLACK_BOT_TOKEN_LOCAL": "xoxb-" + pick(digits, 12) + "-" + pick(digits, 13) + "-" + pick(alnum, 24),
		"GITHUB_PAT":            "ghp" + "_" + pick(alnum, 36),
		"GITHUB_PAT_2":          "ghp" + "_" + pick(alnum, 36),
		"GITHUB_PAT_VENDORED":   "ghp" + "_" + pick(alnum, 36),
		"STRIPE_LIVE_KEY":       "sk_" + "live_" + pick(alnum, 24),
		"STRIPE_TEST_KEY":       "sk_" + "test_" + pick(alnum, 24),
		"AWS_ACCESS_KEY_ID":     "AKIA" + pick(base32ch, 16),
		"AWS_SECRET_KEY":        pick(alnum+"+/", 40),
		"DB_PASSWORD":           pick(alnum, 22),
		"PRIVATE_KEY":           pemBlock("RSA PRIVATE KEY", key),
		// Vendors' documentation samples: public on purpose, never findings.
		"AWS_DOC_KEY_ID": "AKIA" + "IOSFODNN7" + "EXAMPLE",
		"AWS_DOC_SECRET": "wJalrXUtnFEMI/K7MDENG/" + "bPxRfiCYEXAMPLEKEY",
		"STRIPE_DOC_KEY": "sk_" + "test_" + "4eC39HqLyjWDarjtT1zdp7dc",
		"JWT_DOC_TOKEN":  "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9" + "." + "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ" + "." + "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
	}
}

// pemBlock writes der as a PEM block with the given type.
func pemBlock(typ string, der []byte) string {
	enc := base64.StdEncoding.EncodeToString(der)
	var b strings.Builder
	b.WriteString("-----BEGIN " + typ + "-----\n")
	for len(enc) > 64 {
		b.WriteString(enc[:64] + "\n")
		enc = enc[64:]
	}
	b.WriteString(enc + "\n-----END " + typ + "-----")
	return b.String()
}

// buildApp copies the fixture app from testdata/app into a new folder,
// filling in the values, and returns the folder. A leading underscore in a
// name stands for a file the Runway repository must not ignore or treat as
// its own (_.gitignore, _.env, _node_modules, _.runway).
func buildApp(t testing.TB, values map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	copyFixture(t, "testdata/app", dir, values)
	return dir
}

// copyFixture copies the folder src into dst, filling in {{NAME}} values.
func copyFixture(t testing.TB, src, dst string, values map[string]string) {
	t.Helper()
	pairs := make([]string, 0, 2*len(values))
	for k, v := range values {
		pairs = append(pairs, "{{"+k+"}}", v)
	}
	fill := strings.NewReplacer(pairs...)
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		out := filepath.Join(dst, unhide(rel))
		if d.IsDir() {
			return os.MkdirAll(out, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(out, []byte(fill.Replace(string(data))), 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// unhide strips the leading underscore of every element of a path.
func unhide(rel string) string {
	parts := strings.Split(filepath.ToSlash(rel), "/")
	for i, p := range parts {
		parts[i] = strings.TrimPrefix(p, "_")
	}
	return filepath.FromSlash(strings.Join(parts, "/"))
}
