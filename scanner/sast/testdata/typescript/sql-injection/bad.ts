import { Pool } from 'pg';
import type { Request, Response } from 'express';

const pool = new Pool();

export async function getItem(req: Request, res: Response): Promise<void> {
  const id = req.params.id;
  const result = await pool.query(`SELECT * FROM items WHERE id = ${id}`); // expect: js/sql-injection
  res.json(result.rows);
}

export async function byName(name: string): Promise<unknown> {
  const sql = 'SELECT * FROM items WHERE name = \'' + name + '\'';
  return pool.query<{ id: number }>(sql); // expect: js/sql-injection
}
