package sast

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/templates"
)

// routeModule is a plausible Express module of about 90 lines: handlers
// that read the request, query a database, call a service and answer.
const routeModule = `'use strict';
const express = require('express');
const { Pool } = require('pg');
const crypto = require('node:crypto');
const { z } = require('zod');

const pool = new Pool();
const router = express.Router();
const Item%[1]d = z.object({ title: z.string().min(1).max(200), amount: z.number().nonnegative() });

// Lists the items of the signed-in user, newest first.
router.get('/api/items%[1]d', async (req, res, next) => {
  try {
    const limit = Math.min(Number(req.query.limit) || 20, 100);
    const offset = Number(req.query.offset) || 0;
    const { rows } = await pool.query(
      'SELECT id, title, amount, created_at FROM items WHERE owner = $1 ORDER BY created_at DESC LIMIT $2 OFFSET $3',
      [req.user.id, limit, offset],
    );
    res.json({ items: rows, next: rows.length === limit ? offset + limit : null });
  } catch (err) {
    next(err);
  }
});

// Adds an item after checking its shape.
router.post('/api/items%[1]d', async (req, res, next) => {
  const parsed = Item%[1]d.safeParse(req.body);
  if (!parsed.success) {
    return res.status(400).json({ error: 'check the title and the amount', details: parsed.error.issues });
  }
  try {
    const id = crypto.randomUUID();
    await pool.query('INSERT INTO items (id, owner, title, amount) VALUES ($1, $2, $3, $4)', [
      id, req.user.id, parsed.data.title, parsed.data.amount,
    ]);
    return res.status(201).json({ id, ...parsed.data });
  } catch (err) {
    return next(err);
  }
});

// Returns one item, or 404.
router.get('/api/items%[1]d/:id', async (req, res) => {
  const { rows } = await pool.query('SELECT * FROM items WHERE id = $1 AND owner = $2', [req.params.id, req.user.id]);
  if (rows.length === 0) {
    return res.status(404).json({ error: 'there is no such item' });
  }
  const item = rows[0];
  const total = item.lines.reduce((sum, line) => sum + line.amount * line.quantity, 0);
  const label = ` + "`" + `${item.title} (${total.toFixed(2)})` + "`" + `;
  return res.json({ ...item, total, label });
});

// Summarises the items by month for the dashboard.
function summarise%[1]d(items) {
  const byMonth = new Map();
  for (const item of items) {
    const month = item.created_at.toISOString().slice(0, 7);
    const entry = byMonth.get(month) || { month, count: 0, amount: 0 };
    entry.count += 1;
    entry.amount += item.amount;
    byMonth.set(month, entry);
  }
  return [...byMonth.values()].sort((a, b) => a.month.localeCompare(b.month));
}

router.get('/api/summary%[1]d', async (req, res) => {
  const { rows } = await pool.query('SELECT * FROM items WHERE owner = $1', [req.user.id]);
  const format = String(req.query.format || 'json');
  if (format === 'csv') {
    res.type('text/csv');
    return res.send(summarise%[1]d(rows).map((r) => [r.month, r.count, r.amount].join(',')).join('\n'));
  }
  return res.json(summarise%[1]d(rows));
});

module.exports = { router, summarise%[1]d };
`

// realisticApp scaffolds the node-api template and adds n route modules.
func realisticApp(b *testing.B, n int) string {
	b.Helper()
	tmpl, err := templates.Find("node-api")
	if err != nil {
		b.Fatal(err)
	}
	dir := scaffold(b, tmpl)
	for i := range n {
		p := filepath.Join(dir, "app", "routes", fmt.Sprintf("items%d.js", i))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(fmt.Sprintf(routeModule, i)), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return dir
}

// BenchmarkScanNodeApp is the check on a realistic small app: the
// node-api template plus 30 route modules (about 3,000 lines of code).
func BenchmarkScanNodeApp(b *testing.B) {
	dir := realisticApp(b, 30)
	ws := &runway.Workspace{Dir: dir, OutDir: filepath.Join(dir, ".runway")}
	c := New(Options{})
	if out := c.Run(context.Background(), ws, io.Discard); out.Status != runway.StatusPass {
		b.Fatalf("%s: %s %v", out.Status, out.Summary, out.Findings)
	}
	b.ReportAllocs()
	defer reportCPU(b)()
	for b.Loop() {
		c.Run(context.Background(), ws, io.Discard)
	}
}

// reportCPU adds the CPU time per operation, the process's and its
// children's (the go command gosec runs), as cpu-ms/op: on a shared machine
// it says more than the wall time. Call the returned function after the
// loop.
func reportCPU(b *testing.B) func() {
	start := cpuTime()
	return func() {
		b.ReportMetric(float64((cpuTime()-start).Microseconds())/1000/float64(b.N), "cpu-ms/op")
	}
}

func cpuTime() time.Duration {
	var total time.Duration
	for _, who := range []int{syscall.RUSAGE_SELF, syscall.RUSAGE_CHILDREN} {
		var ru syscall.Rusage
		if err := syscall.Getrusage(who, &ru); err == nil {
			total += time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		}
	}
	return total
}

// BenchmarkScanGoApp is the check on the go-api template: gosec loads and
// type-checks the packages through the go command.
func BenchmarkScanGoApp(b *testing.B) {
	tmpl, err := templates.Find("go-api")
	if err != nil {
		b.Fatal(err)
	}
	dir := scaffold(b, tmpl)
	ws := &runway.Workspace{Dir: dir, OutDir: filepath.Join(dir, ".runway")}
	c := New(Options{})
	if out := c.Run(context.Background(), ws, io.Discard); out.Status != runway.StatusPass {
		b.Fatalf("%s: %s", out.Status, out.Summary)
	}
	b.ReportAllocs()
	defer reportCPU(b)()
	for b.Loop() {
		c.Run(context.Background(), ws, io.Discard)
	}
}

// BenchmarkAnalyzeFile is one file of about 240 lines through the engine.
func BenchmarkAnalyzeFile(b *testing.B) {
	src, err := os.ReadFile(filepath.Join("testdata", "javascript", "xss", "bad.js"))
	if err != nil {
		b.Fatal(err)
	}
	src = []byte(strings.Repeat(string(src), 8))
	w := newWorker()
	defer w.Close()
	b.ReportAllocs()
	b.SetBytes(int64(len(src)))
	defer reportCPU(b)()
	for b.Loop() {
		if _, err := w.analyze(langJavaScript, "bad.js", src); err != nil {
			b.Fatal(err)
		}
	}
}
