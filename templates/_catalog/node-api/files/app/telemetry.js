'use strict';

// Tracing follows each request through the app and the services it calls,
// so the platform's dashboards can show where time goes and what fails.
//
// It is on only when OTEL_EXPORTER_OTLP_ENDPOINT is set; the platform sets
// it. The standard OTEL_* variables (OTEL_SERVICE_NAME,
// OTEL_EXPORTER_OTLP_HEADERS, OTEL_RESOURCE_ATTRIBUTES, ...) work as
// OpenTelemetry documents them. There is nothing to change here to use it.
//
// server.js calls startTelemetry before anything loads node:http, so every
// incoming and outgoing request is traced.

const { name } = require('../package.json');

// startTelemetry starts sending traces over OTLP/HTTP when env asks for it,
// and returns { enabled, shutdown }; shutdown sends what is left.
function startTelemetry(env) {
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT) {
    return { enabled: false, shutdown: async () => {} };
  }
  // Loaded only when tracing is on, so the app starts fast without it.
  const { NodeTracerProvider, BatchSpanProcessor } = require('@opentelemetry/sdk-trace-node');
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http');
  const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http');
  const { defaultResource, detectResources, envDetector, resourceFromAttributes } = require('@opentelemetry/resources');
  const { ATTR_SERVICE_NAME } = require('@opentelemetry/semantic-conventions');

  const resource = defaultResource()
    .merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: name }))
    .merge(detectResources({ detectors: [envDetector] })); // OTEL_SERVICE_NAME wins
  const provider = new NodeTracerProvider({
    resource,
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  provider.register();

  const httpInstrumentation = new HttpInstrumentation({
    // The platform's health checks would drown the useful traces.
    ignoreIncomingRequestHook: (req) => req.url === '/healthz',
  });
  httpInstrumentation.setTracerProvider(provider);
  httpInstrumentation.enable();

  return {
    enabled: true,
    shutdown: async () => {
      httpInstrumentation.disable();
      await provider.shutdown();
    },
  };
}

module.exports = { startTelemetry };
