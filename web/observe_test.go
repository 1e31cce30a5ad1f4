package web_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/runwayhq/runway/web"
)

// TestRouteSurvivesWrappers: a tracing wrapper hands the mux a copy of the
// request; logs and metrics must still name the route pattern.
func TestRouteSurvivesWrappers(t *testing.T) {
	var logs bytes.Buffer
	copying := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r.WithContext(r.Context())) })
	}
	s := web.New(web.Options{Logger: slog.New(slog.NewJSONHandler(&logs, nil)), Trace: copying})
	h := s.Handler()
	for _, path := range []string{"/healthz", "/nothing/here"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", path, nil))
	}
	if !strings.Contains(logs.String(), `"route":"GET /healthz"`) || !strings.Contains(logs.String(), `"route":"unmatched"`) {
		t.Fatalf("logs:\n%s", logs.String())
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if !strings.Contains(rec.Body.String(), `runway_http_requests_total{route="GET /healthz",status="200"} 1`) {
		t.Fatalf("metrics lack the route:\n%s", rec.Body.String())
	}
}
