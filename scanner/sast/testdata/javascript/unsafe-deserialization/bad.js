'use strict';
const serialize = require('node-serialize');

function restore(req, res) {
  const session = serialize.unserialize(req.cookies.session); // expect: js/unsafe-deserialization
  res.json(session);
}

module.exports = { restore };
