package opa

import (
	"context"
	"os"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/util"
)

func BenchmarkExp2(b *testing.B) {
	e := newEngine(b, Options{Policies: []string{"testdata/org"}})
	ws := workspace(b, teamApp(), realisticInventory())
	in := buildInput(ws, realisticReport(), e.env, nil, now)
	v := in.value()
	ctx := context.Background()
	dir := os.Getenv("FX")
	data, err := os.ReadFile(dir + "/input.json")
	if err != nil {
		b.Fatal(err)
	}
	var raw any
	if err := util.UnmarshalJSON(data, &raw); err != nil {
		b.Fatal(err)
	}
	jv, _ := ast.InterfaceToValue(raw)
	if jv.Compare(v) != 0 {
		b.Log("input differs from fixture")
	}
	gen := rego.GenerateJSON(func(t *ast.Term, _ *rego.EvalContext) (any, error) { return t, nil })
	bq, err := rego.New(rego.Query(resultQuery), rego.LoadBundle(dir+"/bundle"), gen).PrepareForEval(ctx)
	if err != nil {
		b.Fatal(err)
	}
	oq := expQuery(b, e, resultQuery, true)
	for name, c := range map[string]struct {
		q rego.PreparedEvalQuery
		v ast.Value
	}{"bundle-json": {bq, jv}, "bundle-ours": {bq, v}, "engine-json": {oq, jv}, "engine-ours": {oq, v}} {
		b.Run(name, func(b *testing.B) {
			runExp(b, func() error { _, err := c.q.Eval(ctx, rego.EvalParsedInput(c.v)); return err })
		})
	}
}
