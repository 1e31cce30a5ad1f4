'use strict';

function showName(name) {
  document.getElementById('greeting').innerHTML = 'Hello ' + name; // expect: js/xss
}

function showAll(list, html) {
  list.innerHTML += html; // expect: js/xss
  document.write(location.hash.slice(1)); // expect: js/xss
  list.insertAdjacentHTML('beforeend', `<li>${html}</li>`); // expect: js/xss
}

function server(app) {
  app.get('/hello', (req, res) => {
    res.send('<h1>Hello ' + req.query.name + '</h1>'); // expect: js/xss
  });
  app.get('/raw', (req, res) => {
    const who = req.query.who;
    res.write(`<p>${who}</p>`); // expect: js/xss
    res.end();
  });
}

module.exports = { showName, showAll, server };
