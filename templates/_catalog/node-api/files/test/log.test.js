'use strict';

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { createLogger, redact } = require('../app/log');

test('secret-looking fields are redacted', () => {
  const got = redact({
    user: 'ada',
    password: 'changeme',
    SLACK_BOT_TOKEN: 'changeme',
    nested: { apiKey: 'changeme', authorization: 'Bearer changeme', note: 'kept' },
  });
  assert.deepEqual(got, {
    user: 'ada',
    password: '[redacted]',
    SLACK_BOT_TOKEN: '[redacted]',
    nested: { apiKey: '[redacted]', authorization: '[redacted]', note: 'kept' },
  });
});

test('a log line is one JSON object', () => {
  const lines = [];
  const logger = createLogger({ stream: { write: (s) => lines.push(s) } });
  logger.info('hello', { token: 'changeme', count: 2 });
  logger.debug('hidden below the info level');
  assert.equal(lines.length, 1);
  const line = JSON.parse(lines[0]);
  assert.equal(line.msg, 'hello');
  assert.equal(line.level, 'info');
  assert.equal(line.count, 2);
  assert.equal(line.token, '[redacted]');
  assert.ok(!lines[0].includes('changeme'));
});
