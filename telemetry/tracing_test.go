package telemetry_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.opentelemetry.io/otel/trace"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/telemetry"
)

// setup returns tracing to a fresh collector.
func setup(t testing.TB) (*telemetry.Tracing, *collector) {
	t.Helper()
	c := newCollector(t)
	tr, err := telemetry.Setup(t.Context(), telemetry.Options{Endpoint: c.URL, ServiceName: "runway-test", Version: "1.2.3"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tr.Shutdown(context.Background()) })
	return tr, c
}

// flush sends every ended span: after it the collector holds them all.
func flush(t testing.TB, tr *telemetry.Tracing) {
	t.Helper()
	if err := tr.Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
}

// apiMux is a router shaped like the API's.
func apiMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/apps/{app}", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(r.PathValue("app")))
	})
	mux.HandleFunc("POST /api/v1/candidates", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "boom", http.StatusInternalServerError)
	})
	return mux
}

func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestHandlerNamesSpansByRoutePattern(t *testing.T) {
	t.Parallel()
	tr, c := setup(t)
	h := tr.Handler(apiMux())
	for _, r := range []*http.Request{
		httptest.NewRequest("GET", "/api/v1/apps/shop-42", nil),
		httptest.NewRequest("GET", "/api/v1/apps/blog-7", nil),
		httptest.NewRequest("POST", "/api/v1/candidates", strings.NewReader("{}")),
		httptest.NewRequest("GET", "/no/such/route/9f2c", nil),
	} {
		serve(h, r)
	}
	flush(t, tr)

	type summary struct {
		Name, Route, Status, Path string
		Kind                      tracepb.Span_SpanKind
		Error                     bool
	}
	var got []summary
	for _, s := range c.spans() {
		got = append(got, summary{s.Name, s.Attrs["http.route"], s.Attrs["http.response.status_code"], s.Attrs["url.path"], s.Kind, s.Error})
		want := map[string]string{"service.name": "runway-test", "service.version": "1.2.3", "telemetry.sdk.language": "go"}
		for k, v := range want {
			if s.Resource[k] != v {
				t.Errorf("span %q: resource %s = %q, want %q", s.Name, k, s.Resource[k], v)
			}
		}
		if s.Scope != "go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp" {
			t.Errorf("span %q: scope %q", s.Name, s.Scope)
		}
	}
	server := tracepb.Span_SPAN_KIND_SERVER
	want := []summary{
		{"GET /api/v1/apps/{app}", "/api/v1/apps/{app}", "200", "/api/v1/apps/shop-42", server, false},
		{"GET /api/v1/apps/{app}", "/api/v1/apps/{app}", "200", "/api/v1/apps/blog-7", server, false},
		{"POST /api/v1/candidates", "/api/v1/candidates", "500", "/api/v1/candidates", server, true},
		// Unmatched: the method alone, so that scanners cannot mint names.
		{"GET", "", "404", "/no/such/route/9f2c", server, false},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("spans (-want +got):\n%s", diff)
	}
	for _, e := range c.received() {
		if e.path != "/v1/traces" || e.header.Get("Content-Encoding") != "gzip" {
			t.Errorf("export to %s with encoding %q, want gzip to /v1/traces", e.path, e.header.Get("Content-Encoding"))
		}
	}
}

func TestHandlerHonoursIncomingTraceparent(t *testing.T) {
	t.Parallel()
	tr, c := setup(t)
	const traceID, parentID = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	var inHandler trace.SpanContext
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/apps/{app}", func(w http.ResponseWriter, r *http.Request) {
		inHandler = trace.SpanContextFromContext(r.Context())
		_, s := tr.Tracer().Start(r.Context(), "load app")
		s.End()
	})
	r := httptest.NewRequest("GET", "/api/v1/apps/shop", nil)
	r.Header.Set("traceparent", "00-"+traceID+"-"+parentID+"-01")
	serve(tr.Handler(mux), r)
	flush(t, tr)

	spans := c.spans()
	if len(spans) != 2 {
		t.Fatalf("got %d spans, want the manual one and the server one: %+v", len(spans), spans)
	}
	manual, srv := spans[0], spans[1]
	if srv.Name != "GET /api/v1/apps/{app}" || srv.TraceID != traceID || srv.ParentSpanID != parentID {
		t.Errorf("server span %q in trace %s under %s, want it in trace %s under %s", srv.Name, srv.TraceID, srv.ParentSpanID, traceID, parentID)
	}
	if inHandler.TraceID().String() != traceID || inHandler.SpanID().String() != srv.SpanID {
		t.Errorf("the handler saw span %s/%s, want the server span %s/%s", inHandler.TraceID(), inHandler.SpanID(), traceID, srv.SpanID)
	}
	if manual.Name != "load app" || manual.TraceID != traceID || manual.ParentSpanID != srv.SpanID || manual.Scope != "github.com/runwayhq/runway" {
		t.Errorf("manual span %+v, want %q in trace %s under the server span %s", manual, "load app", traceID, srv.SpanID)
	}
}

func TestSpansCarryNoHeaderOrQuery(t *testing.T) {
	t.Parallel()
	tr, c := setup(t)
	var seen *http.Request
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/apps/{app}", func(w http.ResponseWriter, r *http.Request) { seen = r })
	r := httptest.NewRequest("GET", "/api/v1/apps/shop?token=secret", nil)
	r.Header.Set("Authorization", "Bearer rwy_secret")
	r.Header.Set("Cookie", "session=secret-cookie")
	r.Header.Set("User-Agent", "secret-agent/1.0")
	r.Header.Set("X-Forwarded-For", "203.0.113.7") // a header: the span keeps the peer address instead
	serve(tr.Handler(mux), r)
	flush(t, tr)

	// The handler still gets everything.
	if seen == nil || seen.Header.Get("Authorization") != "Bearer rwy_secret" || seen.Header.Get("User-Agent") != "secret-agent/1.0" ||
		seen.URL.Query().Get("token") != "secret" || seen.Header.Get("X-Forwarded-For") != "203.0.113.7" {
		t.Fatalf("the handler lost headers or the query: %+v", seen)
	}
	spans := c.spans()
	if len(spans) != 1 {
		t.Fatalf("got %d spans, want 1", len(spans))
	}
	for k, v := range spans[0].Attrs {
		if strings.Contains(v, "secret") || strings.Contains(v, "203.0.113.7") {
			t.Errorf("attribute %s = %q leaks a header or the query", k, v)
		}
	}
	for _, e := range c.received() {
		if bytes.Contains(e.body, []byte("secret")) {
			t.Errorf("an export holds %q somewhere:\n%q", "secret", e.body)
		}
	}
	if spans[0].Attrs["url.path"] != "/api/v1/apps/shop" || spans[0].Attrs["client.address"] != "192.0.2.1" {
		t.Errorf("attributes %v, want the path without its query and the peer as the client", spans[0].Attrs)
	}
}

// A middleware between the tracing handler and the mux that copies the
// request hides the pattern: the span is then named by the method alone,
// never by the raw path.
func TestHiddenPatternFallsBackToMethod(t *testing.T) {
	t.Parallel()
	tr, c := setup(t)
	mux := apiMux()
	copying := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mux.ServeHTTP(w, r.WithContext(r.Context()))
	})
	serve(tr.Handler(copying), httptest.NewRequest("GET", "/api/v1/apps/shop-42", nil))
	flush(t, tr)
	spans := c.spans()
	if len(spans) != 1 || spans[0].Name != "GET" || spans[0].Attrs["http.route"] != "" {
		t.Errorf("spans %+v, want one named GET without a route", spans)
	}
}

// With no endpoint nothing is sent, even when the OpenTelemetry variables
// point at a collector, and the handler is the one given.
func TestNoEndpointSendsNothing(t *testing.T) {
	c := newCollector(t)
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", c.URL)
	t.Setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", c.URL+"/v1/traces")
	mux := apiMux()
	for name, tr := range map[string]*telemetry.Tracing{"empty endpoint": mustSetup(t, telemetry.Options{ServiceName: "x"}), "nil": nil} {
		if got := tr.Handler(mux); got != http.Handler(mux) {
			t.Errorf("%s: Handler wrapped the mux; it should return it as is", name)
		}
		r := httptest.NewRequest("GET", "/api/v1/apps/shop", nil)
		r.Header.Set("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
		if w := serve(tr.Handler(mux), r); w.Code != 200 || w.Body.String() != "shop" {
			t.Errorf("%s: got %d %q, want 200 shop", name, w.Code, w.Body)
		}
		_, s := tr.Tracer().Start(t.Context(), "manual")
		if s.IsRecording() || s.SpanContext().IsValid() {
			t.Errorf("%s: the tracer records", name)
		}
		s.End()
		if err := tr.Shutdown(t.Context()); err != nil {
			t.Errorf("%s: Shutdown: %v", name, err)
		}
	}
	if n := len(c.received()); n != 0 {
		t.Errorf("the collector got %d exports, want none", n)
	}
}

// Only the Options decide: OTEL_* variables change neither where spans go,
// nor their headers, sampling, encoding or service name.
func TestEnvironmentIsIgnored(t *testing.T) {
	other := newCollector(t)
	t.Setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", other.URL+"/v1/traces")
	t.Setenv("OTEL_EXPORTER_OTLP_HEADERS", "x-leak=1")
	t.Setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json")
	t.Setenv("OTEL_TRACES_SAMPLER", "always_off")
	t.Setenv("OTEL_SERVICE_NAME", "not-runway")
	tr, c := setup(t)
	serve(tr.Handler(apiMux()), httptest.NewRequest("GET", "/api/v1/apps/shop", nil))
	flush(t, tr)
	spans := c.spans()
	if len(spans) != 1 || spans[0].Resource["service.name"] != "runway-test" {
		t.Fatalf("spans %+v, want one from runway-test", spans)
	}
	if h := c.received()[0].header.Get("x-leak"); h != "" {
		t.Errorf("the export carried x-leak: %q", h)
	}
	if n := len(other.received()); n != 0 {
		t.Errorf("the collector from the environment got %d exports", n)
	}
}

func TestShutdownReportsARefusingCollector(t *testing.T) {
	t.Parallel()
	c := newCollector(t)
	c.status = http.StatusBadRequest // not retried
	tr := mustSetup(t, telemetry.Options{Endpoint: c.URL})
	serve(tr.Handler(apiMux()), httptest.NewRequest("GET", "/api/v1/apps/shop", nil))
	err := tr.Shutdown(t.Context())
	if runway.ErrorCode(err) != runway.EUNAVAILABLE || !strings.Contains(runway.ErrorMessage(err), c.URL+"/v1/traces") {
		t.Errorf("Shutdown = %v (%s), want an EUNAVAILABLE error naming the endpoint", err, runway.ErrorCode(err))
	}
}

func TestSetupRefusesBadEndpoints(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ endpoint, says string }{
		{"127.0.0.1:4318", "not a valid URL"},
		{"localhost:4318", "must start with http:// or https://"},
		{"grpc://collector:4317", "must start with http:// or https://"},
		{"ftp://collector", "must start with http:// or https://"},
		{"http://", "has no host"},
		{"http://:4318", "has no host"},
		{"https:///v1/traces", "has no host"},
		{"http://user:hunter2@collector:4318", "must not hold a user name or password"},
		{"http://collector:4318?token=hunter2", "must not have a query"},
		{"http://collector:4318/#frag", "must not have a query"},
		{" http://collector:4318", "not a valid URL"},
	} {
		_, err := telemetry.Setup(t.Context(), telemetry.Options{Endpoint: tc.endpoint})
		msg := runway.ErrorMessage(err)
		if runway.ErrorCode(err) != runway.EINVALID || !strings.Contains(msg, tc.says) ||
			!strings.Contains(msg, "server.otlp_endpoint") || !strings.Contains(msg, "RUNWAY_OTLP_ENDPOINT") {
			t.Errorf("Setup(%q) = %v, want EINVALID saying %q and naming the setting", tc.endpoint, err, tc.says)
		}
		if strings.Contains(msg, "hunter2") {
			t.Errorf("Setup(%q): the message repeats a secret: %s", tc.endpoint, msg)
		}
	}
}

// The base URL's path is kept, and a URL that already names /v1/traces is
// not extended twice.
func TestEndpointPaths(t *testing.T) {
	t.Parallel()
	for endpoint, want := range map[string]string{
		"":                "/v1/traces",
		"/":               "/v1/traces",
		"/otlp":           "/otlp/v1/traces",
		"/otlp/":          "/otlp/v1/traces",
		"/v1/traces":      "/v1/traces",
		"/otlp/v1/traces": "/otlp/v1/traces",
	} {
		c := newCollector(t)
		tr := mustSetup(t, telemetry.Options{Endpoint: c.URL + endpoint})
		_, s := tr.Tracer().Start(t.Context(), "x")
		s.End()
		flush(t, tr)
		if got := c.received(); len(got) != 1 || got[0].path != want {
			t.Errorf("endpoint %q: exports %v, want one to %s", endpoint, got, want)
		}
	}
}

func mustSetup(t testing.TB, o telemetry.Options) *telemetry.Tracing {
	t.Helper()
	tr, err := telemetry.Setup(t.Context(), o)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// FuzzSetup checks that any endpoint is either accepted or refused with a
// clear EINVALID error, never a panic, and never echoes a password.
func FuzzSetup(f *testing.F) {
	for _, s := range []string{"http://127.0.0.1:4318", "https://otel.example.com/otlp", "localhost:4318", "http://u:pw@h", "http://h?q=1", "http://[::1]:4318", "%zz", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, endpoint string) {
		tr, err := telemetry.Setup(context.Background(), telemetry.Options{Endpoint: endpoint})
		if err != nil {
			if runway.ErrorCode(err) != runway.EINVALID || !strings.Contains(err.Error(), "RUNWAY_OTLP_ENDPOINT") {
				t.Fatalf("Setup(%q) = %v, want an EINVALID error naming the setting", endpoint, err)
			}
			if strings.Contains(endpoint, ":pw@") && strings.Contains(err.Error(), ":pw@") {
				t.Fatalf("Setup(%q) echoes the password: %v", endpoint, err)
			}
			return
		}
		tr.Shutdown(context.Background()) // nothing was traced: nothing is sent
	})
}

// BenchmarkHandler measures what tracing adds to a request.
func BenchmarkHandler(b *testing.B) {
	mux := apiMux()
	run := func(b *testing.B, h http.Handler) {
		r := httptest.NewRequest("GET", "/api/v1/apps/shop-42", nil)
		r.Header.Set("Authorization", "Bearer rwy_x")
		b.ReportAllocs()
		for b.Loop() {
			h.ServeHTTP(httptest.NewRecorder(), r)
		}
	}
	b.Run("off", func(b *testing.B) { run(b, (*telemetry.Tracing)(nil).Handler(mux)) })
	b.Run("on", func(b *testing.B) {
		// A receiver that only drains, so that decoding does not count.
		sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.Copy(io.Discard, r.Body) }))
		defer sink.Close()
		tr := mustSetup(b, telemetry.Options{Endpoint: sink.URL})
		defer tr.Shutdown(context.Background())
		run(b, tr.Handler(mux))
	})
}
