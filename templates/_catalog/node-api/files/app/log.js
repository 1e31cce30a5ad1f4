'use strict';

// Structured logs: one JSON object per line on standard output, which the
// platform collects and shows on the app's dashboard.
//
// Fields whose name looks like a secret (token, password, key, ...) are
// replaced by "[redacted]", so a value passed by mistake never reaches the
// logs. Still: never log a secret on purpose.

const { trace } = require('@opentelemetry/api');

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 };
const SECRET_NAME = /pass(word)?|secret|token|api[-_]?key|authorization|cookie|credential|private[-_]?key|session/i;
const MAX_DEPTH = 4;

// redact returns a copy of value with every secret-looking field hidden.
function redact(value, depth = 0) {
  if (value instanceof Error) {
    return value.message;
  }
  if (value === null || typeof value !== 'object' || depth >= MAX_DEPTH) {
    return value;
  }
  if (Array.isArray(value)) {
    return value.map((v) => redact(v, depth + 1));
  }
  const out = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = SECRET_NAME.test(key) ? '[redacted]' : redact(v, depth + 1);
  }
  return out;
}

// traceFields returns the trace of the request being handled, if tracing is
// on, so a log line can be matched with its trace.
function traceFields() {
  const span = trace.getActiveSpan();
  if (!span) {
    return {};
  }
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}

// createLogger returns a logger with debug, info, warn and error methods,
// each taking a message and optional fields.
function createLogger({ level = 'info', stream = process.stdout, base = {} } = {}) {
  const min = LEVELS[level] ?? LEVELS.info;
  const write = (name, msg, fields = {}) => {
    if (LEVELS[name] < min) {
      return;
    }
    const line = { time: new Date().toISOString(), level: name, msg, ...traceFields(), ...redact(base), ...redact(fields) };
    stream.write(JSON.stringify(line) + '\n');
  };
  return {
    debug: (msg, fields) => write('debug', msg, fields),
    info: (msg, fields) => write('info', msg, fields),
    warn: (msg, fields) => write('warn', msg, fields),
    error: (msg, fields) => write('error', msg, fields),
  };
}

module.exports = { createLogger, redact };
