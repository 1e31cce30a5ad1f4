'use strict';
const https = require('https');
const axios = require('axios');

const agent = new https.Agent({ rejectUnauthorized: false }); // expect: js/tls-verification-disabled

process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0'; // expect: js/tls-verification-disabled

function fetchReport() {
  return axios.get('https://reports.internal/today', {
    httpsAgent: new https.Agent({
      'rejectUnauthorized': false, // expect: js/tls-verification-disabled
    }),
  });
}

module.exports = { agent, fetchReport };
