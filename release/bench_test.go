package release_test

import (
	"context"
	"testing"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/release"
)

// BenchmarkPromoteAndApprove measures one promotion request and the team
// lead's approval that starts its deployment, on SQLite: two policy
// decisions and two transactions.
func BenchmarkPromoteAndApprove(b *testing.B) {
	w := newWorld(b, "")
	ctx := context.Background()
	dev, lead := w.as(b, "dev"), w.as(b, "lead")
	if _, err := w.trySubmit(b, "dev", "wiki", "web", 1); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		p, err := w.promoter.Promote(ctx, dev, release.PromoteRequest{App: "wiki", Environment: runway.EnvStaging})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := w.promoter.Answer(ctx, lead, p.ID, release.Answer{Verdict: runway.Approve, Via: "bench"}); err != nil {
			b.Fatal(err)
		}
	}
}
