package app

import (
	"context"
	"net/http"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
)

// Tracing follows each request through the app and the services it calls,
// so the platform's dashboards can show where time goes and what fails.
//
// It is on only when OTEL_EXPORTER_OTLP_ENDPOINT is set; the platform sets
// it. The standard OTEL_* variables (OTEL_SERVICE_NAME,
// OTEL_EXPORTER_OTLP_HEADERS, OTEL_TRACES_SAMPLER, ...) work as documented
// by OpenTelemetry. There is nothing to change here to use it.

// startTelemetry starts sending traces over OTLP/HTTP when
// OTEL_EXPORTER_OTLP_ENDPOINT is set. The returned function flushes and
// stops it.
func startTelemetry(ctx context.Context, getenv func(string) string) (func(context.Context) error, error) {
	if getenv("OTEL_EXPORTER_OTLP_ENDPOINT") == "" {
		return func(context.Context) error { return nil }, nil
	}
	exporter, err := otlptracehttp.New(ctx)
	if err != nil {
		return nil, err
	}
	res, err := resource.New(ctx,
		resource.WithAttributes(semconv.ServiceName(appName)),
		resource.WithFromEnv(), // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES win
		resource.WithTelemetrySDK(),
	)
	if err != nil {
		return nil, err
	}
	provider := sdktrace.NewTracerProvider(
		sdktrace.WithBatcher(exporter),
		sdktrace.WithResource(res),
	)
	otel.SetTracerProvider(provider)
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(
		propagation.TraceContext{}, propagation.Baggage{},
	))
	return provider.Shutdown, nil
}

// instrument wraps the app's handler so every request becomes a trace
// span, named after its route (for example "GET /api/items/{id}"). When
// tracing is off it costs next to nothing.
func instrument(h http.Handler) http.Handler {
	return otelhttp.NewHandler(h, appName)
}
