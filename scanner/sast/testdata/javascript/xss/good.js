'use strict';
const DOMPurify = require('dompurify');

function showName(name) {
  document.getElementById('greeting').textContent = 'Hello ' + name;
}

function reset(list) {
  list.innerHTML = '';
  const empty = '<li>Nothing yet</li>';
  list.innerHTML = empty;
}

function showHtml(el, html) {
  el.innerHTML = DOMPurify.sanitize(html);
}

function server(app) {
  app.get('/hello', (req, res) => {
    res.json({ message: 'Hello ' + req.query.name });
  });
  app.get('/ping', (req, res) => {
    res.send('pong');
    res.end(JSON.stringify({ ok: true }));
  });
}

module.exports = { showName, reset, showHtml, server };
