package secrets

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/runwayhq/runway"
)

func TestParseMasterKey(t *testing.T) {
	t.Parallel()
	raw := make([]byte, 32)
	rand.Read(raw)
	raw[0] = 0xff // not printable, whatever rand gave
	want := newMasterKey(raw).ID()
	accepted := map[string][]byte{
		"raw bytes":               raw,
		"base64":                  []byte(base64.StdEncoding.EncodeToString(raw)),
		"base64 with a newline":   []byte(base64.StdEncoding.EncodeToString(raw) + "\n"),
		"base64 unpadded":         []byte(base64.RawStdEncoding.EncodeToString(raw)),
		"base64 URL alphabet":     []byte(base64.URLEncoding.EncodeToString(raw)),
		"base64 URL unpadded":     []byte(base64.RawURLEncoding.EncodeToString(raw)),
		"base64: prefix":          []byte("base64:" + base64.StdEncoding.EncodeToString(raw)),
		"hex between white space": []byte("  " + hex.EncodeToString(raw) + "\r\n"),
	}
	for name, material := range accepted {
		k, err := ParseMasterKey(material)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if k.ID() != want {
			t.Errorf("%s: id %s, want %s (one key, one id)", name, k.ID(), want)
		}
	}
	if !strings.HasPrefix(want, "mk_") || len(want) != 19 {
		t.Errorf("key id %q: want mk_ and 16 hex digits", want)
	}
	other, _ := GenerateMasterKey()
	if other.ID() == want {
		t.Error("two keys, one id")
	}

	text := "correct horse battery staple 123"
	refused := map[string]struct {
		material []byte
		msg      string
	}{
		"empty":                {nil, "it is empty"},
		"white space":          {[]byte(" \n"), "it is empty"},
		"a 32-byte password":   {[]byte(text), "plain text (a password?)"},
		"zeros":                {make([]byte, 32), "all the same"},
		"base64 of zeros":      {[]byte(base64.StdEncoding.EncodeToString(make([]byte, 32))), "all the same"},
		"31 bytes":             {raw[:31], "neither 32 raw bytes"},
		"33 bytes":             {append(bytes.Clone(raw), 1), "neither 32 raw bytes"},
		"base64 of 16 bytes":   {[]byte(base64.StdEncoding.EncodeToString(raw[:16])), "neither 32 raw bytes"},
		"hex of 31 bytes":      {[]byte(hex.EncodeToString(raw[:31])), "neither 32 raw bytes"},
		"a huge file":          {bytes.Repeat([]byte("A"), 5000), "5000 bytes long"},
		"base64 of a password": {[]byte(base64.StdEncoding.EncodeToString([]byte(text))), "plain text"},
	}
	for name, c := range refused {
		k, err := ParseMasterKey(c.material)
		if k != nil || runway.ErrorCode(err) != runway.EINVALID || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: %v, %v; want EINVALID %q", name, k, err, c.msg)
			continue
		}
		if !strings.Contains(err.Error(), "runway secrets generate-key") {
			t.Errorf("%s: %v does not say how to make a key", name, err)
		}
		if len(c.material) >= 8 && strings.Contains(err.Error(), string(c.material[:8])) {
			t.Errorf("%s: the error quotes the key material: %v", name, err)
		}
	}
}

func TestReadMasterKeyFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	k, text := GenerateMasterKey()
	good := filepath.Join(dir, "key")
	must(t, os.WriteFile(good, []byte(text+"\n"), 0o600))
	got, err := ReadMasterKeyFile(good)
	if err != nil || got.ID() != k.ID() {
		t.Fatalf("ReadMasterKeyFile = %v, %v; want %s", got, err, k.ID())
	}
	open := filepath.Join(dir, "open")
	must(t, os.WriteFile(open, []byte(text), 0o600))
	must(t, os.Chmod(open, 0o666))
	if _, err := ReadMasterKeyFile(open); err == nil || !strings.Contains(err.Error(), "can be written by others") {
		t.Errorf("world-writable: %v", err)
	}
	bad := filepath.Join(dir, "bad")
	must(t, os.WriteFile(bad, []byte("hunter2"), 0o600))
	if _, err := ReadMasterKeyFile(bad); err == nil || !strings.Contains(err.Error(), bad+": the secrets master key is not usable") || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("bad key: %v", err)
	}
	if _, err := ReadMasterKeyFile(filepath.Join(dir, "missing")); runway.ErrorCode(err) != runway.EINVALID {
		t.Errorf("missing file: %v", err)
	}
	if s := fmtAll(k); strings.Contains(s, text) || !strings.Contains(s, k.ID()) {
		t.Errorf("a key prints as %s", s)
	}
}

// FuzzParseMasterKey: any material is a key or a plain error, never a
// panic, and an error never quotes it.
func FuzzParseMasterKey(f *testing.F) {
	_, text := GenerateMasterKey()
	for _, seed := range []string{"", text, text + "\n", "base64:" + text, strings.Repeat("a", 32), strings.Repeat("0", 64), "\xff" + strings.Repeat("\x01", 31)} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, material []byte) {
		k, err := ParseMasterKey(material)
		if (k == nil) == (err == nil) {
			t.Fatalf("key %v and error %v", k, err)
		}
		if err != nil && len(material) >= 12 && strings.Contains(err.Error(), string(material)) {
			t.Fatalf("error quotes the material: %v", err)
		}
		if k != nil && (len(k.ID()) != 19 || k.aead.Overhead() != 28) {
			t.Fatalf("key %s: overhead %d", k.ID(), k.aead.Overhead())
		}
	})
}
