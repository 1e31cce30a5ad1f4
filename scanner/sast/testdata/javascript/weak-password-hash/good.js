'use strict';
const crypto = require('crypto');
const md5 = require('md5');

function hashPassword(password, salt) {
  return crypto.scryptSync(password, salt, 64).toString('hex');
}

function etag(body) {
  // MD5 as a checksum for caching is fine: no password involved.
  return crypto.createHash('md5').update(body).digest('hex');
}

function cacheKey(url) {
  return md5(url);
}

module.exports = { hashPassword, etag, cacheKey };
