'use strict';

// The small web framework under routes.js: it matches each request to a
// route, reads JSON bodies, sends JSON answers, adds security headers and
// writes one log line per request. You rarely need to change it.

const http = require('node:http');
const { trace } = require('@opentelemetry/api');

// The largest request body the app accepts, in bytes.
const MAX_BODY_BYTES = 64 * 1024;

const SECURITY_HEADERS = {
  'Content-Type': 'application/json; charset=utf-8',
  'Cache-Control': 'no-store',
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
};

// HttpError is an answer with an error status. Throw it from a route:
// throw new HttpError(404, 'there is no item 7').
class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

// route describes one web address: its method (GET, POST, ...), its path
// (":name" parts become params.name) and the function that answers it.
function route(method, path, handler) {
  const parts = path.split('/').filter(Boolean);
  return { method, path, parts, handler };
}

// match returns the route for a method and path, with the values of its
// ":name" parts, or the reason none matched.
function match(routes, method, pathname) {
  const parts = pathname.split('/').filter(Boolean);
  let pathMatched = false;
  for (const r of routes) {
    const params = matchParts(r.parts, parts);
    if (!params) {
      continue;
    }
    pathMatched = true;
    if (r.method === method || (method === 'HEAD' && r.method === 'GET')) {
      return { route: r, params };
    }
  }
  return { status: pathMatched ? 405 : 404 };
}

function matchParts(pattern, parts) {
  if (pattern.length !== parts.length) {
    return null;
  }
  const params = {};
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i].startsWith(':')) {
      params[pattern[i].slice(1)] = decode(parts[i]);
    } else if (pattern[i] !== parts[i]) {
      return null;
    }
  }
  return params;
}

// decode undoes %-escapes; a malformed escape is kept as it was.
function decode(part) {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

// readBody reads a JSON request body of at most MAX_BODY_BYTES.
async function readBody(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      throw new HttpError(413, `the request is too large: send at most ${MAX_BODY_BYTES} bytes`);
    }
    chunks.push(chunk);
  }
  if (size === 0) {
    return undefined;
  }
  if (!String(req.headers['content-type'] || '').startsWith('application/json')) {
    throw new HttpError(415, 'send the body as JSON, with the header Content-Type: application/json');
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'the request is not valid JSON');
  }
}

// answer runs the matching route and returns { status, body, route }.
async function answer(routes, req, url, logger) {
  const found = match(routes, req.method, url.pathname);
  if (!found.route) {
    const message = found.status === 405 ? 'this address does not accept ' + req.method : 'nothing here: check the address';
    return { status: found.status, body: { error: message } };
  }
  try {
    const body = ['POST', 'PUT', 'PATCH'].includes(req.method) ? await readBody(req) : undefined;
    const query = Object.fromEntries(url.searchParams);
    const result = await found.route.handler({ params: found.params, query, body, headers: req.headers });
    return { status: result.status ?? 200, body: result.body, route: found.route.path };
  } catch (err) {
    if (err instanceof HttpError) {
      return { status: err.status, body: { error: err.message }, route: found.route.path };
    }
    logger.error('a route failed', { route: found.route.path, error: err.message });
    return { status: 500, body: { error: 'something went wrong; the details are in the app logs' }, route: found.route.path };
  }
}

// handle answers one request and logs it.
async function handle(routes, req, res, logger) {
  const start = process.hrtime.bigint();
  const span = trace.getActiveSpan();
  const url = new URL(req.url, 'http://localhost');
  const { status, body, route } = await answer(routes, req, url, logger);
  if (span && route) {
    // Name the trace after the route ("GET /api/items/:id"), not the
    // address, so the dashboards group requests to the same route.
    span.updateName(`${req.method} ${route}`);
    span.setAttribute('http.route', route);
  }
  res.writeHead(status, SECURITY_HEADERS);
  res.end(req.method === 'HEAD' || body === undefined ? undefined : JSON.stringify(body));
  // The path is logged without its query string and no header is logged,
  // so tokens sent by callers never reach the logs.
  logger.info('request', {
    method: req.method,
    path: url.pathname,
    status,
    duration_ms: Number(process.hrtime.bigint() - start) / 1e6,
    trace_id: span ? span.spanContext().traceId : undefined,
  });
}

// createServer returns a node:http server that answers with routes.
function createServer(routes, { logger }) {
  return http.createServer((req, res) => {
    handle(routes, req, res, logger).catch((err) => {
      logger.error('a request failed', { error: err.message });
      if (!res.headersSent) {
        res.writeHead(500, SECURITY_HEADERS);
      }
      res.end();
    });
  });
}

module.exports = { createServer, route, HttpError, MAX_BODY_BYTES };
