package connector

import (
	"context"
	"time"
)

// Schedule runs a schedule connector at each time its cron names, until
// ctx is done; other connectors return at once. wait waits for a duration
// (time.After when nil).
func (e *Engine) Schedule(ctx context.Context, wait func(time.Duration) <-chan time.Time) {
	if e.c.Trigger.Kind != "schedule" {
		return
	}
	if wait == nil {
		wait = time.After
	}
	for {
		next := e.c.Trigger.Next(e.o.Now())
		if next.IsZero() {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-wait(next.Sub(e.o.Now())):
			e.Run(ctx, Event{Time: next})
		}
	}
}
