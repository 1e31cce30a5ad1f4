'use strict';
const express = require('express');
const vm = require('node:vm');

const app = express();

app.get('/calc', (req, res) => {
  const result = eval(req.query.expr); // expect: js/code-injection
  res.json({ result });
});

app.post('/rule', (req, res) => {
  const { body } = req;
  const check = new Function('item', `return ${body.rule};`); // expect: js/code-injection
  res.json({ ok: check({}) });
});

app.get('/script', (req, res) => {
  const code = String(req.query.code).trim();
  const out = vm.runInNewContext(code, {}); // expect: js/code-injection
  res.json({ out });
});

app.get('/later', (req, res) => {
  setTimeout('run("' + req.query.task + '")', 10); // expect: js/code-injection
  res.end();
});

module.exports = app;

// The engine follows data inside one function only: request data returned
// by a helper is not seen.
function expressionOf(req) {
  return req.query.expr;
}

app.get('/calc2', (req, res) => {
  res.json({ result: eval(expressionOf(req)) }); // known-miss: js/code-injection
});
