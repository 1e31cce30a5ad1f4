'use strict';
const jwt = require('jsonwebtoken');
const { expressjwt } = require('express-jwt');

const secret = process.env.JWT_SECRET;

function login(user) {
  return jwt.sign({ sub: user.id }, secret, { expiresIn: '1h' });
}

function check(token) {
  return jwt.verify(token, process.env.JWT_SECRET);
}

const auth = expressjwt({ secret: process.env.JWT_SECRET, algorithms: ['HS256'] });

module.exports = { login, check, auth };
