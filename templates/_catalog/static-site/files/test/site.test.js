'use strict';

// Checks the pages in public/: each has a title, and every link, picture,
// style sheet and script they point to exists.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const PUBLIC_DIR = path.join(__dirname, '..', 'public');
const pages = fs.readdirSync(PUBLIC_DIR).filter((f) => f.endsWith('.html'));

// localLinks returns the href and src values of a page that point to this
// site (not to another site, an e-mail address or a place on the page).
function localLinks(html) {
  const links = [...html.matchAll(/\b(?:href|src)="([^"]*)"/g)].map((m) => m[1]);
  return links.filter((l) => !/^([a-z]+:|\/\/|#)/i.test(l));
}

test('there is a start page', () => {
  assert.ok(pages.includes('index.html'), 'public/index.html is missing');
});

for (const page of pages) {
  const html = fs.readFileSync(path.join(PUBLIC_DIR, page), 'utf8');

  test(`${page} has a title`, () => {
    const title = html.match(/<title>([^<]*)<\/title>/);
    assert.ok(title && title[1].trim() !== '', `${page} needs a <title> with some text`);
  });

  test(`${page} links to files that exist`, () => {
    for (const link of localLinks(html)) {
      const target = link.split(/[?#]/)[0];
      let file = path.join(PUBLIC_DIR, target.startsWith('/') ? target : path.join(path.dirname(page), target));
      if (target === '' || target.endsWith('/')) {
        file = path.join(file, 'index.html');
      }
      assert.ok(fs.existsSync(file), `${page} links to ${link}, but there is no such file in public/`);
    }
  });
}

test('the start page loads the style sheet and the script', () => {
  const links = localLinks(fs.readFileSync(path.join(PUBLIC_DIR, 'index.html'), 'utf8'));
  assert.ok(links.includes('styles.css'));
  assert.ok(links.includes('script.js'));
});
