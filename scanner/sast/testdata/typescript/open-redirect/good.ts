import type { Request, Response } from 'express';

export function done(_req: Request, res: Response): void {
  res.redirect('/home');
}
