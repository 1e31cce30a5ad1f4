'use strict';
const express = require('express');

const app = express();
const actions = { add: (a, b) => a + b, sub: (a, b) => a - b };

app.get('/calc', (req, res) => {
  const op = actions[req.query.op];
  if (!op) {
    return res.status(400).json({ error: 'unknown operation' });
  }
  const a = Number(req.query.a);
  const b = Number(req.query.b);
  return res.json({ result: op(a, b) });
});

app.post('/rule', (req, res) => {
  const rule = JSON.parse(req.body.rule);
  res.json({ field: rule.field });
});

// eval of a constant is pointless but not dangerous.
const two = eval('1 + 1');
setTimeout(() => console.log(two), 10);

function template(source) {
  // Not request data: a template file shipped with the app.
  return new Function('data', source);
}

module.exports = { app, template };
