package connector

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/runwayhq/runway"
)

// app is a manifest with the given integrations.
func app(integrations ...runway.Integration) *runway.Manifest {
	return &runway.Manifest{Name: "form-to-slack", Owner: "ops", Risk: runway.RiskMedium, Audience: runway.AudienceTeam,
		Integrations: integrations}
}

func integration(name, host, secret string) runway.Integration {
	return runway.Integration{Name: name, Host: host, RequiresSecret: secret != "", Secret: secret}
}

// mustParse compiles a connector.yaml or fails the test.
func mustParse(t testing.TB, yaml string, m *runway.Manifest) *Connector {
	t.Helper()
	c, err := Parse([]byte(yaml), m)
	if err != nil {
		t.Fatalf("connector.yaml does not compile:\n%v", err)
	}
	return c
}

// receiver is a real HTTP server on a loopback address that records every
// request it gets and answers with answer (200 {"ok": true} when nil).
type receiver struct {
	*httptest.Server
	mu       sync.Mutex
	requests []received
	answer   func(n int, w http.ResponseWriter, r *http.Request)
}

type received struct {
	Method, Path string
	Header       http.Header
	Body         []byte
}

// newReceiver starts a receiver on addr, such as 127.0.0.1 or 127.0.0.2.
func newReceiver(t testing.TB, addr string) *receiver {
	t.Helper()
	rc := &receiver{}
	ln, err := net.Listen("tcp", addr+":0")
	if err != nil {
		t.Fatal(err)
	}
	rc.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.requests = append(rc.requests, received{r.Method, r.URL.Path, r.Header.Clone(), body})
		n := len(rc.requests)
		answer := rc.answer
		rc.mu.Unlock()
		if answer != nil {
			answer(n, w, r)
			return
		}
		io.WriteString(w, `{"ok": true}`)
	}))
	rc.Listener.Close()
	rc.Listener = ln
	rc.Start()
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) got() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.requests...)
}

// secrets returns a Secrets function over a map.
func secrets(m map[string]string) func(string) (string, bool) {
	return func(name string) (string, bool) { v, ok := m[name]; return v, ok }
}

// syncBuffer is a log the engine writes while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// post sends a JSON body to the engine's handler and returns the status
// and the decoded answer.
func post(t testing.TB, e *Engine, path string, body any) (int, map[string]any) {
	t.Helper()
	data, _ := json.Marshal(body)
	req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(data)).WithContext(context.Background())
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	e.Handler().ServeHTTP(w, req)
	var out map[string]any
	json.Unmarshal(w.Body.Bytes(), &out)
	return w.Code, out
}

// fastOptions are engine options for tests: quick retries, a fixed clock.
func fastOptions(o Options) Options {
	o.Backoff = time.Millisecond
	if o.Now == nil {
		o.Now = func() time.Time { return time.Date(2025, 1, 1, 9, 0, 0, 0, time.UTC) }
	}
	return o
}

// leaks reports whether any of the values appear in s.
func leaks(s string, values ...string) bool {
	for _, v := range values {
		if strings.Contains(s, v) {
			return true
		}
	}
	return false
}

func hexMAC(secret, msg string) string {
	return hex.EncodeToString(mac([]byte(secret), []byte(msg)))
}

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }

func jsonString(v any) (string, error) {
	data, err := json.Marshal(v)
	return string(data), err
}
