'use strict';

// Checks that every JavaScript file of the site is valid JavaScript, with
// `node --check`. Run by `npm run lint`. It prints each file with a
// problem, with the line, and exits with 1 when there is one.

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const FOLDERS = ['app', 'public', 'scripts', 'test'];

function jsFiles(dir) {
  if (!fs.existsSync(dir)) {
    return [];
  }
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      return entry.name === 'node_modules' ? [] : jsFiles(full);
    }
    return entry.name.endsWith('.js') ? [full] : [];
  });
}

let failed = 0;
const files = FOLDERS.flatMap((f) => jsFiles(path.join(ROOT, f)));
for (const file of files) {
  try {
    execFileSync(process.execPath, ['--check', file], { stdio: 'pipe' });
  } catch (err) {
    failed++;
    process.stderr.write(err.stderr.toString());
  }
}
console.log(`node --check: ${files.length - failed} of ${files.length} JavaScript files are valid.`);
process.exitCode = failed ? 1 : 0;
