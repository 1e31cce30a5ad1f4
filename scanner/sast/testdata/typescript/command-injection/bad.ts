import { exec } from 'node:child_process';
import type { Request, Response } from 'express';

export function ping(req: Request, res: Response): void {
  exec(`ping -c 1 ${req.query.host}`, (_err, out) => res.end(out)); // expect: js/command-injection
}
