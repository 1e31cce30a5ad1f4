import type { Request, Response } from 'express';
import * as vm from 'node:vm';

export function calc(req: Request, res: Response): void {
  const expr = req.query.expr as string;
  res.json({ result: eval(expr) }); // expect: js/code-injection
}

export function script(req: Request, res: Response): void {
  const code: string = req.body!.code;
  const script = new vm.Script(code); // expect: js/code-injection
  res.json({ out: script.runInNewContext({}) });
}
