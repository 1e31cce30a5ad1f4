'use strict';

// Starts the web server on a free port and checks what it answers.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const path = require('node:path');
const readline = require('node:readline');
const { spawn } = require('node:child_process');
const { createServer, readPort } = require('../app/server');

let server;
let port;

before(async () => {
  server = createServer({ logLine: () => {} });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = server.address().port;
});

after(() => new Promise((resolve) => server.close(resolve)));

// get sends a request with the path exactly as written (fetch would clean
// up "../" before sending it).
function get(urlPath, method = 'GET') {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: urlPath, method }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const cases = [
  { name: 'health', path: '/healthz', status: 200, type: 'application/json', contains: '"ok"' },
  { name: 'start page', path: '/', status: 200, type: 'text/html', contains: '<title>' },
  { name: 'start page by name', path: '/index.html', status: 200, type: 'text/html', contains: '<title>' },
  { name: 'style sheet', path: '/styles.css', status: 200, type: 'text/css', contains: 'body' },
  { name: 'script', path: '/script.js', status: 200, type: 'text/javascript', contains: 'addEventListener' },
  { name: 'query string ignored', path: '/?utm=x', status: 200, type: 'text/html', contains: '<title>' },
  { name: 'missing page', path: '/no-such-page', status: 404, type: 'text/html', contains: 'Page not found' },
  { name: 'no escape from public', path: '/../package.json', status: 404, type: 'text/html', contains: 'Page not found' },
  { name: 'no escape, encoded', path: '/%2e%2e/package.json', status: 404, type: 'text/html', contains: 'Page not found' },
  { name: 'no hidden files', path: '/.env', status: 404, type: 'text/html', contains: 'Page not found' },
  { name: 'read only', path: '/', method: 'POST', status: 405, type: 'text/plain', contains: 'Only GET' },
];

for (const c of cases) {
  test(c.name, async () => {
    const res = await get(c.path, c.method);
    assert.equal(res.status, c.status, res.body);
    assert.ok(res.headers['content-type'].startsWith(c.type), res.headers['content-type']);
    assert.ok(res.body.includes(c.contains), `the answer should contain ${c.contains}`);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.match(res.headers['content-security-policy'], /default-src 'self'/);
  });
}

test('PORT is read from the environment', () => {
  assert.equal(readPort(undefined), 8080);
  assert.equal(readPort('18080'), 18080);
  assert.throws(() => readPort('http'), /PORT is "http"/);
});

test('the site starts, answers /healthz and stops on SIGTERM', async () => {
  const child = spawn(process.execPath, [path.join(__dirname, '..', 'app', 'server.js')], { env: { ...process.env, PORT: '0' } });
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    let childPort;
    for await (const line of readline.createInterface({ input: child.stdout })) {
      const entry = JSON.parse(line);
      if (entry.msg === 'listening') {
        childPort = entry.port;
        break;
      }
    }
    const res = await fetch(`http://127.0.0.1:${childPort}/healthz`);
    assert.equal(res.status, 200);
  } finally {
    child.kill('SIGTERM');
  }
  assert.equal(await exited, 0);
});
