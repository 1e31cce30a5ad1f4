'use strict';
const { Pool } = require('pg');

const pool = new Pool();
const TABLE = 'items';

async function getItem(req, res) {
  const rows = await pool.query('SELECT * FROM items WHERE id = $1', [req.params.id]);
  res.json(rows);
}

async function list() {
  // Built only from constants.
  return pool.query('SELECT * FROM ' + TABLE + ' ORDER BY id');
}

function cache(map, req) {
  // get() on a Map with a built key is not SQL.
  return map.get(`user:${req.params.id}`);
}

function tagged(sql, id) {
  // A tagged template sends the value separately.
  return pool.query(sql`SELECT * FROM items WHERE id = ${id}`);
}

module.exports = { getItem, list, cache, tagged };
