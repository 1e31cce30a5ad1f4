'use strict';
const express = require('express');
const cors = require('cors');

const app = express();
app.use(cors({ origin: true, credentials: true })); // expect: js/cors-credentials

const api = express.Router();
api.use(cors({ credentials: true, origin: (origin, cb) => cb(null, true) })); // expect: js/cors-credentials

app.use((req, res, next) => {
  res.setHeader('Access-Control-Allow-Origin', req.headers.origin); // expect: js/cors-credentials
  res.setHeader('Access-Control-Allow-Credentials', 'true');
  next();
});

module.exports = { app, api };
