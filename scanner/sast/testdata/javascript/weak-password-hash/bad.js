'use strict';
const crypto = require('crypto');
const md5 = require('md5');

function hashPassword(password) {
  return crypto.createHash('md5').update(password).digest('hex'); // expect: js/weak-password-hash
}

function register(user) {
  const hash = crypto.createHash('sha1'); // expect: js/weak-password-hash
  hash.update(user.password);
  return hash.digest('hex');
}

function legacy(form) {
  return md5(form.password + 'salt'); // expect: js/weak-password-hash
}

module.exports = { hashPassword, register, legacy };
