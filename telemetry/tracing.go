// Package telemetry sends OpenTelemetry traces of Runway's HTTP server to an
// OTLP/HTTP endpoint (an OpenTelemetry Collector, Jaeger, Tempo, ...) when
// one is configured, and costs nothing when none is.
//
// Setup builds a Tracing from explicit Options; Handler wraps the server's
// router so that every request gets one server span named after its route
// pattern ("GET /api/v1/apps/{app}"), never its raw path; Tracer gives
// manual spans; Shutdown flushes what is left. Spans never carry request
// headers or query strings, where tokens travel.
//
// telemetry imports only the root runway package of Runway. It sets no
// OpenTelemetry global (tracer provider, propagator, error handler): the
// caller wires what it returns.
package telemetry

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	"github.com/runwayhq/runway"
)

// tracerName is the instrumentation scope of Runway's own spans.
const tracerName = "github.com/runwayhq/runway"

// tracesPath is where OTLP/HTTP receivers take traces, below the base URL.
const tracesPath = "/v1/traces"

// Options configure Setup.
type Options struct {
	// Endpoint is the OTLP/HTTP base URL, such as http://127.0.0.1:4318;
	// traces go to its /v1/traces (a URL that already ends in /v1/traces is
	// used as is). Empty turns tracing off.
	Endpoint string
	// ServiceName is the service.name resource attribute ("runway" when
	// empty).
	ServiceName string
	// Version is the service.version resource attribute and the version of
	// the tracer's instrumentation scope.
	Version string
}

// Tracing is the tracing side of `runway up`. A Tracing from Setup with no
// endpoint, and a nil *Tracing, do nothing: Handler returns the handler it
// is given and Tracer returns a no-op tracer.
type Tracing struct {
	provider *sdktrace.TracerProvider // nil when tracing is off
	tracer   trace.Tracer
	prop     propagation.TextMapPropagator
	endpoint string // redacted, for messages
}

// Setup returns a Tracing that batches spans to o.Endpoint over OTLP/HTTP
// (protobuf, gzip) and honours incoming W3C trace context. Nothing is
// contacted until the first batch is sent. It returns an EINVALID error
// when the endpoint is not an http(s) URL with a host.
func Setup(ctx context.Context, o Options) (*Tracing, error) {
	if o.Endpoint == "" {
		return &Tracing{}, nil
	}
	target, err := tracesURL(o.Endpoint)
	if err != nil {
		return nil, err
	}
	if o.ServiceName == "" {
		o.ServiceName = "runway"
	}
	attrs := []attribute.KeyValue{semconv.ServiceName(o.ServiceName)}
	if o.Version != "" {
		attrs = append(attrs, semconv.ServiceVersion(o.Version))
	}
	res, err := resource.New(ctx, resource.WithSchemaURL(semconv.SchemaURL), resource.WithTelemetrySDK(), resource.WithAttributes(attrs...))
	if err != nil {
		return nil, fmt.Errorf("describe the service for traces: %w", err)
	}
	exp, err := otlptracehttp.New(ctx, exporterOptions(target)...)
	if err != nil {
		return nil, fmt.Errorf("start the OTLP trace exporter for %s: %w", target.Redacted(), err)
	}
	// Every setting the SDK would otherwise read from OTEL_* variables is
	// given here, because config/ is the only reader of the environment.
	// The one exception: WithResource merges in OTEL_RESOURCE_ATTRIBUTES
	// (the SDK offers no way out); service.name and .version still win.
	provider := sdktrace.NewTracerProvider(
		sdktrace.WithResource(res),
		sdktrace.WithBatcher(exp,
			sdktrace.WithBatchTimeout(sdktrace.DefaultScheduleDelay*time.Millisecond),
			sdktrace.WithExportTimeout(sdktrace.DefaultExportTimeout*time.Millisecond),
			sdktrace.WithMaxQueueSize(sdktrace.DefaultMaxQueueSize),
			sdktrace.WithMaxExportBatchSize(sdktrace.DefaultMaxExportBatchSize)),
		sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.AlwaysSample())),
		sdktrace.WithRawSpanLimits(spanLimits),
	)
	return &Tracing{
		provider: provider,
		tracer:   provider.Tracer(tracerName, trace.WithInstrumentationVersion(o.Version)),
		prop:     propagation.TraceContext{},
		endpoint: target.Redacted(),
	}, nil
}

// spanLimits are the SDK's defaults, spelled out so that no OTEL_SPAN_*
// variable changes them.
var spanLimits = sdktrace.SpanLimits{
	AttributeValueLengthLimit:   sdktrace.DefaultAttributeValueLengthLimit,
	AttributeValueDepthLimit:    sdktrace.DefaultAttributeValueDepthLimit,
	AttributeCountLimit:         sdktrace.DefaultAttributeCountLimit,
	EventCountLimit:             sdktrace.DefaultEventCountLimit,
	LinkCountLimit:              sdktrace.DefaultLinkCountLimit,
	AttributePerEventCountLimit: sdktrace.DefaultAttributePerEventCountLimit,
	AttributePerLinkCountLimit:  sdktrace.DefaultAttributePerLinkCountLimit,
}

// exporterOptions set every exporter setting that OTEL_EXPORTER_OTLP_*
// variables could otherwise change behind the configuration's back.
func exporterOptions(target *url.URL) []otlptracehttp.Option {
	var tlsCfg *tls.Config // none for http: the exporter refuses TLS settings there
	if target.Scheme == "https" {
		tlsCfg = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	return []otlptracehttp.Option{
		otlptracehttp.WithEndpointURL(target.String()),
		otlptracehttp.WithTLSClientConfig(tlsCfg),
		otlptracehttp.WithHeaders(nil),
		otlptracehttp.WithEncoding(otlptracehttp.EncodingProtobuf),
		otlptracehttp.WithCompression(otlptracehttp.GzipCompression),
		otlptracehttp.WithTimeout(10 * time.Second),
	}
}

// tracesURL validates the configured endpoint and returns where traces go.
// Messages never repeat a password the URL might hold.
func tracesURL(endpoint string) (*url.URL, error) {
	const setting = "server.otlp_endpoint (RUNWAY_OTLP_ENDPOINT)"
	const example = "such as http://127.0.0.1:4318"
	u, err := url.Parse(endpoint)
	switch {
	case err != nil:
		return nil, runway.Errorf(runway.EINVALID, "%s is not a valid URL: give the OTLP/HTTP address of your collector, %s", setting, example)
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, runway.Errorf(runway.EINVALID, "%s must start with http:// or https://, %s (OTLP over gRPC is not supported)", setting, example)
	case u.Host == "" || u.Hostname() == "":
		return nil, runway.Errorf(runway.EINVALID, "%s has no host: give the collector's address, %s", setting, example)
	case u.User != nil:
		return nil, runway.Errorf(runway.EINVALID, "%s must not hold a user name or password: the OTLP exporter would drop them; use a collector on a trusted network", setting)
	case u.RawQuery != "" || u.Fragment != "" || u.ForceQuery:
		return nil, runway.Errorf(runway.EINVALID, "%s %q must not have a query (?...) or fragment (#...): the OTLP exporter would drop it", setting, u.Scheme+"://"+u.Host+u.EscapedPath())
	}
	if !strings.HasSuffix(u.Path, tracesPath) {
		u = u.JoinPath(tracesPath)
	}
	return u, nil
}

// Handler wraps h, the router, so that each request gets a server span.
// The span continues the caller's trace when the request carries a W3C
// traceparent, is named after the method and the route pattern the
// http.ServeMux matched ("GET /api/v1/apps/{app}"), and records the
// response status; a 5xx marks it as an error.
//
// The pattern is known only if h is the *http.ServeMux itself or passes
// the request it receives to the mux unchanged: a middleware between them
// that copies the request (r.WithContext) hides the pattern, and the span
// is then named after the method alone, never the raw path. Wrap the mux,
// then add the other middleware around the result.
//
// Spans record the method, the path, the scheme, the host, the peer
// address, the protocol, the route and the response status and sizes,
// never a header value or the query string.
func (t *Tracing) Handler(h http.Handler) http.Handler {
	if t == nil || t.provider == nil {
		return h
	}
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// r is otelhttp's own copy: restoring the headers on it is safe,
		// and the mux sets r.Pattern on it for otelhttp to rename the span.
		if hdr, ok := r.Context().Value(headersKey{}).(http.Header); ok {
			r.Header = hdr
		}
		h.ServeHTTP(w, r)
		if route := route(r.Pattern); route != "" {
			trace.SpanFromContext(r.Context()).SetAttributes(semconv.HTTPRoute(route))
		}
	})
	traced := otelhttp.NewHandler(inner, "runway",
		otelhttp.WithTracerProvider(t.provider),
		otelhttp.WithPropagators(t.prop),
		otelhttp.WithMeterProvider(metricnoop.NewMeterProvider()), // /metrics is Prometheus
	)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// otelhttp records some headers (User-Agent, X-Forwarded-For): it
		// sees only the trace context; the handlers get every header back.
		seen := r.WithContext(context.WithValue(r.Context(), headersKey{}, r.Header))
		seen.Header = make(http.Header, 2)
		for _, k := range t.prop.Fields() {
			if v := r.Header.Values(k); len(v) > 0 {
				seen.Header[http.CanonicalHeaderKey(k)] = v
			}
		}
		defer func() {
			// net/http removes the temporary files of a multipart form
			// it finds on the request it passed in.
			if seen.MultipartForm != nil {
				r.MultipartForm = seen.MultipartForm
			}
		}()
		traced.ServeHTTP(w, seen)
	})
}

// headersKey carries a request's headers past otelhttp.
type headersKey struct{}

// route returns the path part of a ServeMux pattern ("GET
// example.com/apps/{app}" → "/apps/{app}"), or "" for no pattern.
func route(pattern string) string {
	if i := strings.IndexByte(pattern, '/'); i >= 0 {
		return pattern[i:]
	}
	return ""
}

// Tracer returns the tracer for Runway's manual spans. Spans started from
// a request's context are children of its server span.
func (t *Tracing) Tracer() trace.Tracer {
	if t == nil || t.provider == nil {
		return tracenoop.NewTracerProvider().Tracer(tracerName)
	}
	return t.tracer
}

// Shutdown sends the spans not yet sent and stops the exporter; ctx bounds
// the wait. It returns an EUNAVAILABLE error when the endpoint cannot be
// reached or refuses the spans. Spans ended after Shutdown are dropped.
func (t *Tracing) Shutdown(ctx context.Context) error {
	if t == nil || t.provider == nil {
		return nil
	}
	// ForceFlush reports a failed export; Shutdown alone would only hand
	// it to OpenTelemetry's global error handler.
	err := errors.Join(t.provider.ForceFlush(ctx), t.provider.Shutdown(ctx))
	if err != nil {
		return &runway.Error{Code: runway.EUNAVAILABLE, Message: "could not send the last traces to " + t.endpoint +
			" (server.otlp_endpoint): check that the collector is running and reachable", Err: err}
	}
	return nil
}
