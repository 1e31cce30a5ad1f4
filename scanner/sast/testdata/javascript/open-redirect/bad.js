'use strict';
const express = require('express');

const app = express();

app.get('/login/done', (req, res) => {
  res.redirect(req.query.next); // expect: js/open-redirect
});

app.get('/go', (req, res) => {
  const target = req.query.url || '/';
  res.redirect(302, target); // expect: js/open-redirect
});

function raw(req, res) {
  const url = new URL(req.url, 'http://localhost');
  res.setHeader('Location', url.searchParams.get('to')); // expect: js/open-redirect
  res.statusCode = 302;
  res.end();
}

module.exports = { app, raw };
