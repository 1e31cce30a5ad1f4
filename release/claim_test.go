package release

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/runwayhq/runway"
)

// TestClaimWaitsForAVerdict: a person's rollback waits while a verdict is
// acted on, and no verdict is acted on while the person holds the canary.
func TestClaimWaitsForAVerdict(t *testing.T) {
	c := &Canaries{}
	dep := &runway.Deployment{ID: 1, App: "wiki", Environment: runway.EnvProduction, Candidate: 2, Stable: "c1", State: runway.DeploymentCanary}
	if err := c.Begin(dep, 2); err != nil {
		t.Fatal(err)
	}
	w := c.active[key("wiki", runway.EnvProduction)]
	w.acting = true // a verdict is being acted on
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := c.claim(ctx, dep); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("claim while a verdict is acted on: %v, want to wait", err)
	}
	w.acting = false
	release, err := c.claim(context.Background(), dep)
	if err != nil {
		t.Fatal(err)
	}
	if !w.acting {
		t.Error("verdicts may be acted on while a person holds the canary")
	}
	release()
	if w.acting {
		t.Error("the canary is still held after its release")
	}
	var none *Canaries
	for _, cs := range []*Canaries{none, {}} {
		if release, err := cs.claim(context.Background(), dep); err != nil || release == nil {
			t.Errorf("claim of an unwatched canary: %v", err)
		}
	}
}
