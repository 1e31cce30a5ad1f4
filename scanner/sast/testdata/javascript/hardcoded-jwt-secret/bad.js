'use strict';
const jwt = require('jsonwebtoken');
const { expressjwt } = require('express-jwt');

const SECRET = 'correct-horse-battery-staple';

function login(user) {
  return jwt.sign({ sub: user.id }, SECRET, { expiresIn: '1h' }); // expect: js/hardcoded-jwt-secret
}

function check(token) {
  return jwt.verify(token, process.env.JWT_SECRET || 'dev-only-secret'); // expect: js/hardcoded-jwt-secret
}

const auth = expressjwt({ secret: 'shhhhhhared-secret', algorithms: ['HS256'] }); // expect: js/hardcoded-jwt-secret

module.exports = { login, check, auth };
