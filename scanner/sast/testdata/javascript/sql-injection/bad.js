'use strict';
const { Pool } = require('pg');

const pool = new Pool();

async function getItem(req, res) {
  const rows = await pool.query(`SELECT * FROM items WHERE id = ${req.params.id}`); // expect: js/sql-injection
  res.json(rows);
}

async function search(req, res) {
  const term = req.query.q;
  let sql = 'SELECT id, title FROM items';
  sql += " WHERE title LIKE '%" + term + "%'";
  const rows = await pool.query(sql); // expect: js/sql-injection
  res.json(rows);
}

function remove(db, id) {
  // Not from the request, but still SQL built from a value that changes.
  return db.run('DELETE FROM items WHERE id = ' + id); // expect: js/sql-injection
}

async function byOwner({ query }) {
  const owner = query.owner;
  return pool.query('SELECT * FROM items WHERE owner = \'' + owner + '\' ORDER BY id'); // expect: js/sql-injection
}

module.exports = { getItem, search, remove, byOwner };
