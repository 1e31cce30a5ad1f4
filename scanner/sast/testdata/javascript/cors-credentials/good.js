'use strict';
const express = require('express');
const cors = require('cors');

const app = express();
app.use(cors({ origin: ['https://intranet.example.com'], credentials: true }));

const open = express.Router();
// Every origin, but no credentials: fine for a public, read-only API.
open.use(cors({ origin: '*' }));

app.use((req, res, next) => {
  res.setHeader('Access-Control-Allow-Origin', 'https://intranet.example.com');
  res.setHeader('Access-Control-Allow-Credentials', 'true');
  next();
});

module.exports = { app, open };
