import type { Request, Response } from 'express';

export function done(req: Request, res: Response): void {
  const next = req.query.next as string;
  res.redirect(next); // expect: js/open-redirect
}
