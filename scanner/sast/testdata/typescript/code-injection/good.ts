import type { Request, Response } from 'express';

const actions: Record<string, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
};

export function calc(req: Request, res: Response): void {
  const op = actions[String(req.query.op)];
  res.json({ result: op(Number(req.query.a), Number(req.query.b)) });
}
