import { execFile } from 'node:child_process';
import type { Request, Response } from 'express';

export function ping(req: Request, res: Response): void {
  execFile('ping', ['-c', '1', String(req.query.host)], (_err, out) => res.end(out));
}
