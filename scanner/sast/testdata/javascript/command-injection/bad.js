'use strict';
const cp = require('child_process');
const { exec: run } = require('node:child_process');
const { promisify } = require('util');
const execAsync = promisify(cp.exec);

function handler(req, res) {
  const host = req.query.host;
  cp.exec(`ping -c 1 ${host}`, (err, out) => res.end(out)); // expect: js/command-injection
}

function archive(req, res) {
  const name = req.body.name;
  const cmd = 'tar czf /tmp/' + name + '.tgz /data';
  run(cmd, () => res.end('done')); // expect: js/command-injection
}

async function lookup(req, res) {
  const { stdout } = await execAsync('nslookup ' + req.params.domain); // expect: js/command-injection
  res.send(stdout.length > 0 ? 'found' : 'none');
}

function tool(req, res) {
  const child = cp.spawn(req.query.tool, ['--version']); // expect: js/command-injection
  child.on('close', () => res.end());
}

function shell(req, res) {
  cp.execFile('grep', [req.query.pattern, 'app.log'], { shell: true }, () => res.end()); // expect: js/command-injection
}

module.exports = { handler, archive, lookup, tool, shell };
