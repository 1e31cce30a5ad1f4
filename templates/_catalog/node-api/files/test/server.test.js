'use strict';

// Starts the app the way the platform does (node app/server.js with PORT
// set), calls /healthz, then asks it to stop and checks it stops cleanly.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const path = require('node:path');
const readline = require('node:readline');

test('the app starts, answers /healthz and stops on SIGTERM', async () => {
  const env = { ...process.env, PORT: '0' };
  delete env.OTEL_EXPORTER_OTLP_ENDPOINT;
  const child = spawn(process.execPath, [path.join(__dirname, '..', 'app', 'server.js')], { env });
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const port = await listeningPort(child);
    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'ok' });
  } finally {
    child.kill('SIGTERM');
  }
  assert.equal(await exited, 0);
});

// listeningPort reads the app's JSON logs until it says where it listens.
async function listeningPort(child) {
  for await (const line of readline.createInterface({ input: child.stdout })) {
    const entry = JSON.parse(line);
    if (entry.msg === 'listening') {
      return entry.port;
    }
  }
  throw new Error('the app stopped before listening');
}
