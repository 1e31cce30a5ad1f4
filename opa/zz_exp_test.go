package opa

import (
	"context"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
)

func expQuery(b *testing.B, e *Engine, q string, strict bool, extra ...func(*rego.Rego)) rego.PreparedEvalQuery {
	opts := []func(*rego.Rego){rego.Compiler(e.ps.compiler), rego.Store(e.ps.store), rego.Query(q), rego.StrictBuiltinErrors(strict),
		rego.GenerateJSON(func(t *ast.Term, _ *rego.EvalContext) (any, error) { return t, nil })}
	pq, err := rego.New(append(opts, extra...)...).PrepareForEval(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	return pq
}

func runExp(b *testing.B, f func() error) {
	times := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		if err := f(); err != nil {
			b.Fatal(err)
		}
		times = append(times, time.Since(start))
	}
	b.StopTimer()
	reportPercentiles(b, times)
}

func BenchmarkExp(b *testing.B) {
	e := newEngine(b, Options{Policies: []string{"testdata/org"}})
	ws := workspace(b, teamApp(), realisticInventory())
	in := buildInput(ws, realisticReport(), e.env, nil, now)
	v := in.value()
	ctx := context.Background()
	q := resultQuery
	if s := os.Getenv("EXPQ"); s != "" {
		q = s
	}
	for _, c := range []struct {
		name   string
		strict bool
	}{{"strict", true}, {"lax", false}} {
		pq := expQuery(b, e, q, c.strict)
		b.Run("raw-"+c.name, func(b *testing.B) {
			runExp(b, func() error { _, err := pq.Eval(ctx, rego.EvalParsedInput(v)); return err })
		})
	}
	b.Run("value", func(b *testing.B) { runExp(b, func() error { _ = in.value(); return nil }) })
	b.Run("build", func(b *testing.B) {
		r := realisticReport()
		runExp(b, func() error { _ = buildInput(ws, r, e.env, nil, now); return nil })
	})
	_ = slices.Clone[[]int]
}
