package supervisor_test

import (
	"bytes"
	"encoding/base64"
	"io"
	"math/rand/v2"
	"net/url"
	"strings"
	"testing"

	"github.com/runwayhq/runway/supervisor"
)

var testSecrets = map[string]string{
	"SLACK_BOT_TOKEN": "xoxb-2741-s3cr3t-Token-value",
	"DB_PASSWORD":     "p@ss w0rd/with+signs&more",
	"API_KEY":         "ak_live_0123456789",
	"API_KEY_PREFIX":  "ak_live_01", // a prefix of API_KEY: the longer match wins
	"PEM":             "line one\nline two\n",
}

func TestRedact(t *testing.T) {
	t.Parallel()
	r := supervisor.NewRedactor(testSecrets)
	basic := base64.StdEncoding.EncodeToString([]byte("user:" + testSecrets["DB_PASSWORD"]))
	tests := []struct {
		name, in, want string
	}{
		{"no secret", "GET /healthz 200", "GET /healthz 200"},
		{"plain", "token=xoxb-2741-s3cr3t-Token-value!", "token=[redacted SLACK_BOT_TOKEN]!"},
		{"twice", "xoxb-2741-s3cr3t-Token-valuexoxb-2741-s3cr3t-Token-value", "[redacted SLACK_BOT_TOKEN][redacted SLACK_BOT_TOKEN]"},
		{"longest wins", "key ak_live_0123456789 and ak_live_01x", "key [redacted API_KEY] and [redacted API_KEY_PREFIX]x"},
		{"base64", "b64 " + base64.StdEncoding.EncodeToString([]byte(testSecrets["SLACK_BOT_TOKEN"])), "b64 [redacted SLACK_BOT_TOKEN]"},
		{"base64url unpadded", base64.RawURLEncoding.EncodeToString([]byte(testSecrets["DB_PASSWORD"])), "[redacted DB_PASSWORD]"},
		{"query escaped", "?p=" + url.QueryEscape(testSecrets["DB_PASSWORD"]), "?p=[redacted DB_PASSWORD]"},
		{"path escaped", "/" + url.PathEscape(testSecrets["DB_PASSWORD"]), "/[redacted DB_PASSWORD]"},
		{"json escaped", `{"pem":"line one\nline two\n"}`, `{"pem":"[redacted PEM]"}`},
		{"multi-line value", "key:\nline one\nline two\n--", "key:\n[redacted PEM]--"},
		{"trimmed value", "pem line one\nline two.", "pem [redacted PEM]."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := r.Redact(tt.in); got != tt.want {
				t.Errorf("Redact(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
	// Inside a longer base64 blob (an HTTP Basic credential), whatever the
	// offset, only the encoding of what surrounds the value remains.
	for _, prefix := range []string{"u:", "us:", "user:"} {
		blob := base64.StdEncoding.EncodeToString([]byte(prefix + testSecrets["SLACK_BOT_TOKEN"] + "@host"))
		got := r.Redact("Authorization: Basic " + blob)
		if !strings.Contains(got, "[redacted SLACK_BOT_TOKEN]") || len(got) > len("Authorization: Basic [redacted SLACK_BOT_TOKEN]")+16 {
			t.Errorf("prefix %q: %q", prefix, got)
		}
	}
	if got := r.Redact("Basic " + basic); !strings.Contains(got, "[redacted DB_PASSWORD]") {
		t.Errorf("basic credential not redacted: %q", got)
	}
	if got := supervisor.NewRedactor(nil).Redact("anything"); got != "anything" {
		t.Errorf("no secrets: %q", got)
	}
}

// TestRedactingWriterSplits: a secret split across writes at every possible
// point, or written a byte at a time, is redacted exactly as in one piece.
func TestRedactingWriterSplits(t *testing.T) {
	t.Parallel()
	r := supervisor.NewRedactor(testSecrets)
	text := "start xoxb-2741-s3cr3t-Token-value mid ak_live_0123456789 x ak_live_01 y " +
		base64.StdEncoding.EncodeToString([]byte(testSecrets["DB_PASSWORD"])) + " end xoxb-2741"
	want := r.Redact(text)
	for i := 0; i <= len(text); i++ {
		for j := i; j <= len(text); j += 7 {
			var out bytes.Buffer
			w := r.Writer(&out)
			w.Write([]byte(text[:i]))
			w.Write([]byte(text[i:j]))
			w.Write([]byte(text[j:]))
			w.Close()
			if out.String() != want {
				t.Fatalf("split at %d and %d:\n got %q\nwant %q", i, j, out.String(), want)
			}
		}
	}
	var out bytes.Buffer
	w := r.Writer(&out)
	for i := range len(text) {
		w.Write([]byte{text[i]})
	}
	w.Close()
	if out.String() != want {
		t.Errorf("byte by byte:\n got %q\nwant %q", out.String(), want)
	}
}

// TestRedactingWriterHoldsBackOnlyPrefixes: output that cannot be the start
// of a secret is written at once, so log lines are not delayed.
func TestRedactingWriterHoldsBackOnlyPrefixes(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	w := supervisor.NewRedactor(testSecrets).Writer(&out)
	w.Write([]byte("listening on 3000\n"))
	if out.String() != "listening on 3000\n" {
		t.Errorf("written at once: %q", out.String())
	}
	w.Write([]byte("token xoxb-27"))
	if out.String() != "listening on 3000\ntoken " {
		t.Errorf("a possible secret's start must wait: %q", out.String())
	}
	w.Write([]byte("00 is not it\n"))
	if out.String() != "listening on 3000\ntoken xoxb-2700 is not it\n" {
		t.Errorf("released once it is no secret: %q", out.String())
	}
}

// FuzzRedactingWriter: however the output is cut into writes, the stream
// equals the redaction of the whole, and holds no secret.
func FuzzRedactingWriter(f *testing.F) {
	f.Add("token xoxb-2741-s3cr3t-Token-value end", uint64(1))
	f.Add("ak_live_0123456789ak_live_01ak_live_0", uint64(7))
	f.Add("line one\nline two\nline one\n", uint64(3))
	r := supervisor.NewRedactor(testSecrets)
	f.Fuzz(func(t *testing.T, text string, seed uint64) {
		want := r.Redact(text)
		rng := rand.New(rand.NewPCG(seed, seed))
		var out bytes.Buffer
		w := r.Writer(&out)
		for rest := text; len(rest) > 0; {
			n := 1 + rng.IntN(len(rest))
			w.Write([]byte(rest[:n]))
			rest = rest[n:]
		}
		w.Close()
		if out.String() != want {
			t.Fatalf("split writes of %q:\n got %q\nwant %q", text, out.String(), want)
		}
		for name, v := range testSecrets {
			if strings.Contains(want, v) {
				t.Fatalf("%s survives in %q", name, want)
			}
		}
	})
}

// BenchmarkRedactingWriter: log lines through the redactor, as an app's
// output goes to its log.
func BenchmarkRedactingWriter(b *testing.B) {
	line := []byte("GET /api/expenses?id=12345 200 3ms user=alice token=ak_live_0123456789\n")
	w := supervisor.NewRedactor(testSecrets).Writer(io.Discard)
	b.SetBytes(int64(len(line)))
	for b.Loop() {
		w.Write(line)
	}
}
