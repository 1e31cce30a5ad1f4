'use strict';

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { loadConfig, secret } = require('../app/config');

const cases = [
  { name: 'defaults', env: {}, want: { port: 8080, logLevel: 'info' } },
  { name: 'port set', env: { PORT: '18080' }, want: { port: 18080, logLevel: 'info' } },
  { name: 'empty port', env: { PORT: '' }, want: { port: 8080, logLevel: 'info' } },
  { name: 'debug logs', env: { LOG_LEVEL: 'debug' }, want: { port: 8080, logLevel: 'debug' } },
  { name: 'port not a number', env: { PORT: 'http' }, error: /PORT is "http"/ },
  { name: 'port too big', env: { PORT: '70000' }, error: /between 0 and 65535/ },
  { name: 'unknown level', env: { LOG_LEVEL: 'loud' }, error: /LOG_LEVEL is "loud"/ },
];

for (const c of cases) {
  test(c.name, () => {
    if (c.error) {
      assert.throws(() => loadConfig(c.env), c.error);
    } else {
      assert.deepEqual(loadConfig(c.env), c.want);
    }
  });
}

test('a missing secret is named, a present one returned', () => {
  assert.throws(() => secret({}, 'SLACK_BOT_TOKEN'), /SLACK_BOT_TOKEN is not set/);
  assert.equal(secret({ SLACK_BOT_TOKEN: 'changeme' }, 'SLACK_BOT_TOKEN'), 'changeme');
});
