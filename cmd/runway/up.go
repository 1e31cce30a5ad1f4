package main

import (
	"github.com/spf13/cobra"
)

// upCommand is `runway up`: the platform on one machine.
func (a *app) upCommand() *cobra.Command {
	var demo bool
	var adminEmail string
	cmd := &cobra.Command{
		Use:   "up",
		Short: "Start the Runway server (API, web UI and job workers)",
		Long: "Start the Runway server in this process: the API under /api/v1, the web UI, the job workers, /healthz, /readyz and /metrics. " +
			"State lives in SQLite under --data, or in PostgreSQL with --database-url (several `runway up` processes may share one PostgreSQL). " +
			"On first start it prints a token for the first admin, once.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			flags := cmd.Flags()
			for flag, field := range map[string]*string{"addr": &a.cfg.Server.Addr, "apps-addr": &a.cfg.Server.AppsAddr, "data": &a.cfg.Server.Data, "database-url": &a.cfg.Server.DatabaseURL} {
				if flags.Changed(flag) {
					*field, _ = flags.GetString(flag)
				}
			}
			ctx := cmd.Context()
			s, err := openServer(ctx, a.cfg, a.err)
			if err != nil {
				return err
			}
			defer s.close()
			if err := s.bootstrap(ctx, a.out, adminEmail); err != nil {
				return err
			}
			if demo {
				if err := s.seedDemo(ctx); err != nil {
					return err
				}
			}
			s.announce(a.out)
			return s.run(ctx)
		},
	}
	cmd.Flags().String("addr", "", "address to listen on (default 127.0.0.1:8080; config server.addr, RUNWAY_ADDR)")
	cmd.Flags().String("apps-addr", "", "address the apps are served on, through the proxy (default: the next port; config server.apps_addr, RUNWAY_APPS_ADDR)")
	cmd.Flags().String("data", "", "data folder for SQLite and logs (default ./runway-data; config server.data, RUNWAY_DATA)")
	cmd.Flags().String("database-url", "", "PostgreSQL URL instead of SQLite (config server.database_url, RUNWAY_DATABASE_URL)")
	cmd.Flags().BoolVar(&demo, "demo", false, "fill an empty platform with sample teams, people, apps and candidates")
	cmd.Flags().StringVar(&adminEmail, "admin-email", "admin@runway.local", "email of the first admin, made on first start")
	return cmd
}
