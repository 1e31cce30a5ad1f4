'use strict';
const fs = require('fs');
const https = require('https');

const agent = new https.Agent({
  rejectUnauthorized: true,
  ca: fs.readFileSync('/etc/ssl/internal-ca.pem'),
});

process.env.NODE_TLS_REJECT_UNAUTHORIZED = '1';

const options = { strict: false, rejectUnauthorizedCount: false };

module.exports = { agent, options };
