'use strict';
const cp = require('child_process');

const allowedHosts = new Set(['db.internal', 'cache.internal']);

function handler(req, res) {
  const host = req.query.host;
  if (!allowedHosts.has(host)) {
    return res.status(400).end();
  }
  // Each value is its own argument and no shell reads it.
  cp.execFile('ping', ['-c', '1', host], (err, out) => res.end(out));
}

function version() {
  return cp.execSync('git rev-parse HEAD').toString().trim();
}

function build(target) {
  const cmd = 'make ' + 'all';
  return cp.execSync(cmd);
}

function list(req, res) {
  // spawn without a shell: the request value is only an argument.
  const child = cp.spawn('ls', ['-l', req.query.dir]);
  child.on('close', () => res.end());
}

// A method called exec on something else is not a command.
const re = /a(b)/;
const m = re.exec(`ab${version()}`);

module.exports = { handler, build, list, m };

function listArgs(req, res) {
  const args = ['-l', req.query.dir];
  cp.spawn('ls', args).on('close', () => res.end());
}
