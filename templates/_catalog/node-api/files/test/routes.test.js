'use strict';

// Calls each address of the app on a real server and checks the answer.
// Each line of the table is one call; the calls run in order against one
// server, so a later line sees what an earlier one created.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { createServer, MAX_BODY_BYTES } = require('../app/router');
const { createRoutes } = require('../app/routes');
const { createStore } = require('../app/store');

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
let server;
let base;

before(async () => {
  server = createServer(createRoutes({ items: createStore() }), { logger: quiet });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${server.address().port}`;
});

after(() => new Promise((resolve) => server.close(resolve)));

const cases = [
  { name: 'health', method: 'GET', path: '/healthz', status: 200, contains: '"status":"ok"' },
  { name: 'hello world', method: 'GET', path: '/api/hello', status: 200, contains: 'Hello, world!' },
  { name: 'hello name', method: 'GET', path: '/api/hello?name=Ada', status: 200, contains: 'Hello, Ada!' },
  { name: 'empty list', method: 'GET', path: '/api/items', status: 200, contains: '"items":[]' },
  { name: 'create item', method: 'POST', path: '/api/items', body: { title: 'Order paper' }, status: 201, contains: '"title":"Order paper"' },
  { name: 'get item', method: 'GET', path: '/api/items/1', status: 200, contains: '"id":1' },
  { name: 'list has item', method: 'GET', path: '/api/items', status: 200, contains: 'Order paper' },
  { name: 'missing item', method: 'GET', path: '/api/items/99', status: 404, contains: 'there is no item 99' },
  { name: 'bad item number', method: 'GET', path: '/api/items/abc', status: 400, contains: 'whole number' },
  { name: 'title missing', method: 'POST', path: '/api/items', body: { title: ' ' }, status: 400, contains: 'title is missing' },
  { name: 'not json', method: 'POST', path: '/api/items', raw: 'hello', status: 400, contains: 'not valid JSON' },
  { name: 'too large', method: 'POST', path: '/api/items', raw: 'a'.repeat(MAX_BODY_BYTES + 1), status: 413, contains: 'too large' },
  { name: 'wrong method', method: 'DELETE', path: '/api/items', status: 405, contains: 'does not accept DELETE' },
  { name: 'unknown address', method: 'GET', path: '/nope', status: 404, contains: 'nothing here' },
];

for (const c of cases) {
  test(c.name, async () => {
    const hasBody = c.body !== undefined || c.raw !== undefined;
    const res = await fetch(base + c.path, {
      method: c.method,
      headers: hasBody ? { 'Content-Type': 'application/json' } : {},
      body: c.raw ?? (c.body === undefined ? undefined : JSON.stringify(c.body)),
    });
    const text = await res.text();
    assert.equal(res.status, c.status, text);
    assert.ok(text.includes(c.contains), `${text} should contain ${c.contains}`);
    assert.match(res.headers.get('content-type'), /^application\/json/);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  });
}
