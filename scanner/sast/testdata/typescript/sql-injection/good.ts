import { Pool } from 'pg';
import type { Request, Response } from 'express';

const pool = new Pool();

export async function getItem(req: Request, res: Response): Promise<void> {
  const result = await pool.query('SELECT * FROM items WHERE id = $1', [req.params.id]);
  res.json(result.rows);
}
