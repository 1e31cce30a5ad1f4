'use strict';

// A small web server for the files in public/. It uses nothing but Node.js
// itself, so there is nothing to install to run it.
//
// It answers /healthz for the platform, sends the security headers browsers
// need, never serves a file from outside public/, and stops cleanly when the
// platform asks it to (SIGTERM) or when you press Ctrl+C (SIGINT).
//
// You rarely need to change this file: the site itself is in public/.

const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');

const PUBLIC_DIR = fs.realpathSync(path.join(__dirname, '..', 'public'));
const DEFAULT_PORT = 8080;
const SHUTDOWN_GRACE_MS = 10_000;

const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.pdf': 'application/pdf',
};

// Security headers sent with every answer. The Content-Security-Policy lets
// the page load scripts, styles and images from this site only: to use
// another site's files, ask the platform team first.
const SECURITY_HEADERS = {
  'Content-Security-Policy':
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=()',
  'Referrer-Policy': 'strict-origin-when-cross-origin',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
};

// log writes one JSON line, which the platform collects.
function log(level, msg, fields = {}) {
  process.stdout.write(JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields }) + '\n');
}

// resolve returns the file in public/ that urlPath names, or null when
// there is none or the path tries to leave public/.
function resolve(urlPath) {
  let decoded;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  const parts = decoded.split('/').filter(Boolean);
  if (decoded.includes('\0') || parts.some((p) => p.startsWith('.'))) {
    return null; // hidden files and "..": never served
  }
  let file = path.join(PUBLIC_DIR, ...parts);
  try {
    if (fs.statSync(file).isDirectory()) {
      file = path.join(file, 'index.html');
    }
    const real = fs.realpathSync(file);
    return real.startsWith(PUBLIC_DIR + path.sep) && fs.statSync(real).isFile() ? real : null;
  } catch {
    return null;
  }
}

// send streams a file with its content type and caching headers.
function send(req, res, file, status) {
  const type = CONTENT_TYPES[path.extname(file).toLowerCase()] || 'application/octet-stream';
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': type,
    // Pages are checked again on each visit so changes show at once;
    // other files may be kept by the browser for five minutes.
    'Cache-Control': type.startsWith('text/html') ? 'no-cache' : 'public, max-age=300',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  fs.createReadStream(file)
    .on('error', () => res.destroy())
    .pipe(res);
}

// pathOf returns the path of a request's address, without the query string,
// or null when the address is not valid.
function pathOf(req) {
  try {
    return new URL(req.url, 'http://localhost').pathname;
  } catch {
    return null;
  }
}

// answer decides what to send for one request and returns its status.
function answer(req, res, pathname) {
  if (pathname === null) {
    res.writeHead(400, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('This address is not valid.\n');
    return 400;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { ...SECURITY_HEADERS, Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('Only GET and HEAD are allowed.\n');
    return 405;
  }
  if (pathname === '/healthz') {
    res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : '{"status":"ok"}\n');
    return 200;
  }
  const file = resolve(pathname);
  if (file) {
    send(req, res, file, 200);
    return 200;
  }
  send(req, res, path.join(PUBLIC_DIR, '404.html'), 404);
  return 404;
}

// createServer returns the web server, not yet listening. Tests pass their
// own log function to keep their output clean.
function createServer({ logLine = log } = {}) {
  return http.createServer((req, res) => {
    const start = process.hrtime.bigint();
    const pathname = pathOf(req);
    const status = answer(req, res, pathname);
    // The path is logged without its query string, where callers sometimes
    // put tokens, and no header is logged.
    logLine('info', 'request', { method: req.method, path: pathname, status, duration_ms: Number(process.hrtime.bigint() - start) / 1e6 });
  });
}

// readPort returns the port from PORT, or 8080 when it is not set.
function readPort(value) {
  if (value === undefined || value === '') {
    return DEFAULT_PORT;
  }
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT is "${value}": it must be a number between 0 and 65535`);
  }
  return port;
}

function main() {
  let port;
  try {
    port = readPort(process.env.PORT);
  } catch (err) {
    log('error', 'the site cannot start', { error: err.message });
    process.exitCode = 1;
    return;
  }
  const server = createServer();
  server.listen(port, () => log('info', 'listening', { port: server.address().port }));
  const stop = (signal) => {
    log('info', 'stopping: finishing the requests in flight', { signal });
    setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS).unref();
    server.close(() => log('info', 'stopped'));
    server.closeIdleConnections();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

if (require.main === module) {
  main();
}

module.exports = { createServer, readPort, resolve };
