package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/connector"
	"github.com/runwayhq/runway/manifest"
	"github.com/runwayhq/runway/telemetry"
	"github.com/runwayhq/runway/yamlfile"
)

// devCommand is `runway dev`: a connector running on this machine.
func (a *app) devCommand() *cobra.Command {
	var addr string
	cmd := &cobra.Command{
		Use:   "dev [DIR]",
		Short: "Run a connector on this machine, calling its real integrations",
		Long: "Run the connector in DIR (default: the current folder) until Ctrl+C: it answers its trigger's requests at --addr, " +
			"or runs at its schedule's times. Each secret comes from the environment variable of the same name " +
			"(the integration's `secret:` in runway.yaml, such as SLACK_WEBHOOK_URL); Runway's own RUNWAY_* variables never reach it. " +
			"Runs are kept in DIR/.runway/runs: `runway connector runs` lists them, `runway connector replay` runs a failed one again.",
		Args: maxOneFolder,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.dev(cmd.Context(), folder(args), addr)
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8080", "address to listen on")
	return cmd
}

func (a *app) dev(ctx context.Context, dir, addr string) error {
	c, err := loadConnector(dir)
	if err != nil {
		return err
	}
	tracing, err := telemetry.Setup(ctx, telemetry.Options{Endpoint: a.cfg.Server.OTLPEndpoint, ServiceName: "connector-" + c.App, Version: version})
	if err != nil {
		return err
	}
	defer tracing.Shutdown(context.WithoutCancel(ctx))
	e, err := a.engine(dir, c, tracing)
	if err != nil {
		return err
	}
	defer e.Close()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return runway.Errorf(runway.EINVALID, "cannot listen on %s: %v; choose another address with --addr", addr, err)
	}
	srv := &http.Server{Handler: tracing.Handler(e.Handler()), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute, IdleTimeout: 2 * time.Minute}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	go e.Schedule(ctx, nil)
	url := "http://" + ln.Addr().String()
	switch t := c.Trigger; t.Kind {
	case "schedule":
		fmt.Fprintf(a.out, "Connector %s runs at %s (cron %q, %s); health at %s/healthz. Press Ctrl+C to stop.\n",
			c.App, t.Next(time.Now()).Format(time.RFC1123), t.Cron, timeZone(t.TimeZone), url)
	default:
		fmt.Fprintf(a.out, "Connector %s is running at %s%s (%s). Press Ctrl+C to stop.\n", c.App, url, t.Path, t.Method)
	}
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	return srv.Shutdown(shutdown)
}

// engine prepares c's engine for this machine: secrets from the
// environment, runs kept in DIR/.runway/runs, lines to stderr.
func (a *app) engine(dir string, c *connector.Connector, tracing *telemetry.Tracing) (*connector.Engine, error) {
	env := map[string]string{}
	for _, kv := range a.cfg.Environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	e, err := connector.NewEngine(c, connector.Options{
		Secrets: func(name string) (string, bool) { v, ok := env[name]; return v, ok },
		Store:   &connector.DirStore{Dir: filepath.Join(dir, ".runway", "runs")},
		Tracer:  tracing.Tracer(),
		Log:     a.err,
	})
	if err != nil && runway.ErrorCode(err) == runway.EINVALID {
		return nil, runway.Errorf(runway.EINVALID, "%s.\nOn this machine each secret is read from the environment variable of the same name: set it first, for example\n    export NAME='the value'\nwith the value the service gave you (never write it in a file that Git keeps).", runway.ErrorMessage(err))
	}
	return e, err
}

func timeZone(tz string) string {
	if tz == "" {
		return "UTC"
	}
	return tz
}

// loadConnector reads the manifest and the connector in dir; problems in
// either file are EINVALID with every position and fix.
func loadConnector(dir string) (*connector.Connector, error) {
	m, err := manifest.Load(dir)
	if err != nil {
		return nil, fileError(err)
	}
	c, err := connector.Load(dir, m)
	if err != nil {
		return nil, fileError(err)
	}
	return c, nil
}

// fileError makes the problems of a file an error a person acts on.
func fileError(err error) error {
	var ye *yamlfile.Error
	if errors.As(err, &ye) {
		return &runway.Error{Code: runway.EINVALID, Message: ye.Error()}
	}
	return err
}

// folder is the command's folder argument, the current folder by default.
func folder(args []string) string {
	if len(args) == 1 {
		return args[0]
	}
	return "."
}

func maxOneFolder(cmd *cobra.Command, args []string) error {
	if len(args) > 1 {
		return usageError(cmd, cmd.CommandPath()+" takes one folder.")
	}
	return nil
}
