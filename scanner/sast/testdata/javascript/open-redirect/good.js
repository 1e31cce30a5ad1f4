'use strict';
const express = require('express');

const app = express();
const pages = { home: '/', items: '/items' };

app.get('/login/done', (req, res) => {
  res.redirect(pages[req.query.page] ? '/' + 'items' : '/');
});

app.get('/old', (req, res) => {
  res.redirect(301, '/new');
});

function raw(res) {
  res.setHeader('Location', '/home');
  res.setHeader('Content-Type', 'text/plain');
  res.end();
}

module.exports = { app, raw };

// Checks against an allow-list are not understood: the redirect below is
// safe but reported.
const allowed = ['/home', '/items'];
app.get('/back', (req, res) => {
  const next = req.query.next;
  if (!allowed.includes(next)) {
    return res.redirect('/');
  }
  return res.redirect(next); // known-fp: js/open-redirect
});
