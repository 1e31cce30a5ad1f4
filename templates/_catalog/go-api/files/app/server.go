// Package app is this app's web server.
//
// It reads its settings from environment variables (see config.go), writes
// one JSON log line per event, sends traces when
// OTEL_EXPORTER_OTLP_ENDPOINT is set (see telemetry.go), and stops cleanly
// when the platform asks it to. The web addresses it answers are in
// routes.go: that is the file to change first.
package app

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// shutdownGrace is how long requests already running may take to finish
// once the platform asks the app to stop.
const shutdownGrace = 10 * time.Second

// Main runs the server until the platform stops it (SIGTERM) or you press
// Ctrl+C (SIGINT), and returns the process's exit code.
func Main() int {
	logger := slog.New(slog.NewJSONHandler(os.Stdout, nil)).With("app", appName)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, logger, os.Getenv, nil); err != nil {
		logger.Error("the server stopped because of an error", "error", err.Error())
		return 1
	}
	return 0
}

// run starts the server and blocks until ctx is cancelled, then lets the
// requests in flight finish. When ready is not nil it receives the address
// the server listens on (tests use it with PORT=0).
func run(ctx context.Context, logger *slog.Logger, getenv func(string) string, ready chan<- string) error {
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	stopTelemetry, err := startTelemetry(ctx, getenv)
	if err != nil {
		return err
	}
	defer flushTelemetry(logger, stopTelemetry)

	srv := &http.Server{
		Handler:           instrument(newHandler(logger, newStore())),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	ln, err := net.Listen("tcp", ":"+cfg.Port)
	if err != nil {
		return err
	}
	logger.Info("listening", "address", ln.Addr().String(), "tracing", getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "")
	if ready != nil {
		ready <- ln.Addr().String()
	}

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	logger.Info("stopping: finishing the requests in flight")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	logger.Info("stopped")
	return nil
}

// flushTelemetry sends the traces still buffered before the app exits.
func flushTelemetry(logger *slog.Logger, stop func(context.Context) error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := stop(ctx); err != nil {
		logger.Warn("some traces could not be sent", "error", err.Error())
	}
}
