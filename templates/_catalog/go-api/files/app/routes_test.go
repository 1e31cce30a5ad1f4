package app

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestRoutes calls each address of the app and checks the answer. Each
// line of the table is one call; the calls run in order against one
// server, so a later line sees what an earlier one created.
func TestRoutes(t *testing.T) {
	srv := httptest.NewServer(newHandler(slog.New(slog.DiscardHandler), newStore()))
	defer srv.Close()

	tests := []struct {
		name       string
		method     string
		path       string
		body       string
		wantStatus int
		wantBody   string // a part of the answer
	}{
		{"health", "GET", "/healthz", "", 200, `"status":"ok"`},
		{"hello world", "GET", "/api/hello", "", 200, `"Hello, world!"`},
		{"hello name", "GET", "/api/hello?name=Ada", "", 200, `"Hello, Ada!"`},
		{"empty list", "GET", "/api/items", "", 200, `"items":[]`},
		{"create item", "POST", "/api/items", `{"title":"Order paper"}`, 201, `"title":"Order paper"`},
		{"get item", "GET", "/api/items/1", "", 200, `"id":1`},
		{"list has item", "GET", "/api/items", "", 200, `"Order paper"`},
		{"missing item", "GET", "/api/items/99", "", 404, `there is no item 99`},
		{"bad item number", "GET", "/api/items/abc", "", 400, `whole number`},
		{"title missing", "POST", "/api/items", `{"title":"  "}`, 400, `title is missing`},
		{"unknown field", "POST", "/api/items", `{"name":"x"}`, 400, `not valid JSON`},
		{"not json", "POST", "/api/items", `hello`, 400, `not valid JSON`},
		{"too large", "POST", "/api/items", `{"title":"` + strings.Repeat("a", maxBodyBytes) + `"}`, 400, `too large`},
		{"unknown address", "GET", "/nope", "", 404, `nothing here`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, srv.URL+tt.path, strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status = %d, want %d (body: %s)", resp.StatusCode, tt.wantStatus, body)
			}
			if !strings.Contains(string(body), tt.wantBody) {
				t.Errorf("body = %s, want it to contain %s", body, tt.wantBody)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type = %q, want JSON", ct)
			}
		})
	}
}

// TestRequestLogHasNoQuery checks that the request log leaves out the
// query string, where callers sometimes put tokens.
func TestRequestLogHasNoQuery(t *testing.T) {
	var logs strings.Builder
	h := newHandler(slog.New(slog.NewJSONHandler(&logs, nil)), newStore())
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/api/hello?token=changeme", nil))
	if !strings.Contains(logs.String(), `"path":"/api/hello"`) {
		t.Errorf("log has no path: %s", logs.String())
	}
	if strings.Contains(logs.String(), "changeme") {
		t.Errorf("log contains the query string: %s", logs.String())
	}
}
