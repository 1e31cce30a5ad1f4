'use strict';

function restore(req, res) {
  const session = JSON.parse(req.cookies.session);
  res.json(session);
}

module.exports = { restore };
