package connector

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkRuns measures runs per second of the template's connector (a
// form checked, posted to Slack, answered), from the engine alone to a
// whole HTTP round trip:
//
//   - stub: the steps only, calls answered by the recording stub (request
//     decoding, input schema, CEL, the run record);
//   - loopback: the same with the Slack post made for real to a receiver
//     on loopback, through egress;
//   - http: a client posting the form to the connector's handler over
//     loopback HTTP, which posts to the receiver.
func BenchmarkRuns(b *testing.B) {
	slack := newReceiver(b, "127.0.0.1")
	c, err := Load("../templates/_catalog/connector/files", app(integration("slack", "127.0.0.1", "SLACK_WEBHOOK_URL")))
	if err != nil {
		b.Fatal(err)
	}
	hook := slack.URL + "/services/T0001/B0002/benchmark-secret"
	form, _ := json.Marshal(map[string]any{"name": "Ada Lovelace", "email": "ada@example.com", "message": "Could we book a demo next week?"})
	ev := jsonEvent("/contact", nil)
	ev.Body = form
	engine := func(b *testing.B, out Outbound) *Engine {
		e, err := NewEngine(c, Options{Secrets: secrets(map[string]string{"SLACK_WEBHOOK_URL": hook}), Outbound: out, MaxRuns: 64})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { e.Close() })
		return e
	}
	report := func(b *testing.B) { b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "runs/s") }
	b.Run("stub", func(b *testing.B) {
		e := engine(b, &stub{})
		b.ReportAllocs()
		for b.Loop() {
			if r := e.Run(context.Background(), ev); r.Status != RunOK {
				b.Fatal(r.Error)
			}
		}
		report(b)
	})
	b.Run("loopback", func(b *testing.B) {
		e := engine(b, nil)
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if r := e.Run(context.Background(), ev); r.Status != RunOK {
					b.Error(r.Error)
					return
				}
			}
		})
		report(b)
	})
	b.Run("http", func(b *testing.B) {
		srv := httptest.NewServer(engine(b, nil).Handler())
		defer srv.Close()
		client := srv.Client()
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				resp, err := client.Post(srv.URL+"/contact", "application/json", bytes.NewReader(form))
				if err != nil {
					b.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					b.Errorf("status %d", resp.StatusCode)
					return
				}
			}
		})
		report(b)
	})
}
