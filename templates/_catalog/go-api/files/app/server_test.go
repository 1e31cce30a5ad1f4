package app

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"
)

func TestLoadConfig(t *testing.T) {
	tests := []struct {
		name     string
		port     string
		wantPort string
		wantErr  bool
	}{
		{"default", "", "8080", false},
		{"set", "18080", "18080", false},
		{"any free port", "0", "0", false},
		{"not a number", "http", "", true},
		{"too big", "70000", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{"PORT": tt.port}
			cfg, err := loadConfig(func(k string) string { return env[k] })
			if (err != nil) != tt.wantErr {
				t.Fatalf("error = %v, want error: %v", err, tt.wantErr)
			}
			if cfg.Port != tt.wantPort {
				t.Errorf("port = %q, want %q", cfg.Port, tt.wantPort)
			}
		})
	}
}

// TestRunStopsCleanly starts the real server on a free port, calls
// /healthz, then asks it to stop as the platform would.
func TestRunStopsCleanly(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	env := map[string]string{"PORT": "0"}
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, slog.New(slog.DiscardHandler), func(k string) string { return env[k] }, ready)
	}()

	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		t.Fatalf("server did not start: %v", err)
	}
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get("http://127.0.0.1:" + port + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("/healthz status = %d, want 200", resp.StatusCode)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run returned %v, want a clean stop", err)
		}
	case <-time.After(shutdownGrace + time.Second):
		t.Fatal("the server did not stop")
	}
}
