package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/secrets"
	"github.com/runwayhq/runway/sqlstore"
)

// secretsCommand is `runway secrets`: app secrets through the server's
// API (values go in and never come out), and the master key's care on the
// server's machine.
func (a *app) secretsCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "secrets",
		Short: "Set, list and delete app secrets (values are never shown); make and rotate the master key",
		Long: "App secrets are the values behind the NAMEs runway.yaml's integrations declare (secret: SLACK_BOT_TOKEN). " +
			"They are write-only: set them from standard input, list their names and versions, delete them. " +
			"An app receives them as environment variables when a process starts, and only the ones its manifest declares.",
	}
	cmd.AddCommand(a.secretsSet(), a.secretsList(), a.secretsDelete(), a.secretsGenerateKey(), a.secretsRotateKey())
	return cmd
}

// secretPath is the API path of one secret.
func secretPath(ref runway.SecretRef) string {
	return "/api/v1/apps/" + urlPath(ref.App) + "/secrets/" + urlPath(ref.Name) + query("environment", string(ref.Env))
}

// maxSecretUpload bounds what the CLI reads from standard input; the
// server refuses values over its own, smaller limit with a clear message.
const maxSecretUpload = 1 << 20

func (a *app) secretsSet() *cobra.Command {
	var env string
	cmd := &cobra.Command{
		Use:   "set APP NAME [--env ENV]",
		Short: "Set a secret's value from standard input (never shown, never an argument)",
		Long: "Set the value of an app secret, as its next version. The value is read from standard input: typed without echo on a terminal " +
			"(one line), or piped from a file or a password manager (runway secrets set notes SLACK_BOT_TOKEN < token.txt); one trailing newline is dropped. " +
			"It is never an argument, which shells keep in their history. Without --env it is the value for every environment; " +
			"a value set for one environment wins there. Team leads of the app's team, platform and admins may.",
		Args: exactArgs(2, "the app's name and the secret's NAME (the value is read from standard input)"),
	}
	output := outputFlag(cmd)
	cmd.Flags().StringVar(&env, "env", "", "the environment the value is for: sandbox, staging or production (default: every environment)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		ref := runway.SecretRef{App: args[0], Env: runway.Environment(env), Name: args[1]}
		// Checked before anything is sent: a value typed where the NAME
		// belongs must not travel in a URL.
		if err := ref.Validate(); err != nil {
			return err
		}
		c, err := a.client()
		if err != nil {
			return err
		}
		value, err := a.readSecretValue(ref)
		if err != nil {
			return err
		}
		defer clear(value)
		var info runway.SecretInfo
		if err := c.send(cmd.Context(), "PUT", secretPath(ref), "application/octet-stream", bytes.NewReader(value), &info); err != nil {
			return err
		}
		if *output == "json" {
			return a.printJSON(info)
		}
		fmt.Fprintf(a.out, "Set %s of %s for %s: version %d. The value is not shown again; the app receives it when a process starts.\n",
			info.Name, info.App, info.EnvLabel(), info.Version)
		return nil
	}
	return cmd
}

// readSecretValue reads a value from standard input: without echo from a
// terminal, else everything up to maxSecretUpload.
func (a *app) readSecretValue(ref runway.SecretRef) ([]byte, error) {
	if f, ok := a.in.(*os.File); ok && a.terminal(a.in) {
		fmt.Fprintf(a.err, "Value of %s for %s of %s (typing is not shown; press Enter when done): ", ref.Name, ref.EnvLabel(), ref.App)
		value, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(a.err)
		if err != nil {
			return nil, runway.Errorf(runway.EINVALID, "could not read the value from the terminal: %v", err)
		}
		return value, nil
	}
	value, err := io.ReadAll(io.LimitReader(a.in, maxSecretUpload))
	if err != nil {
		return nil, runway.Errorf(runway.EINVALID, "could not read the value from standard input: %v", err)
	}
	return value, nil
}

func (a *app) secretsList() *cobra.Command {
	cmd := &cobra.Command{Use: "list APP", Short: "List an app's secrets: names, environments, versions, who set them and when", Args: exactArgs(1, "the app's name")}
	output := outputFlag(cmd)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		c, err := a.client()
		if err != nil {
			return err
		}
		var p page[runway.SecretInfo]
		if err := c.do(cmd.Context(), "GET", "/api/v1/apps/"+urlPath(args[0])+"/secrets", nil, &p); err != nil {
			return err
		}
		if *output == "json" {
			return a.printJSON(p)
		}
		return printSecrets(a.out, args[0], p.Items)
	}
	return cmd
}

// printSecrets lists secrets without values (there are none to show).
func printSecrets(w io.Writer, app string, infos []runway.SecretInfo) error {
	if len(infos) == 0 {
		fmt.Fprintf(w, "%s has no secrets yet. Set one with `runway secrets set %s NAME [--env ENV]` (the value is read from standard input).\n", app, app)
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tFOR\tVERSION\tSET\tBY")
	for _, s := range infos {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\n", s.Name, s.EnvLabel(), s.Version, stamp(s.UpdatedAt), s.UpdatedBy)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "Values are never shown. A value set for one environment wins there over the one for every environment.")
	return nil
}

func (a *app) secretsDelete() *cobra.Command {
	var env string
	cmd := &cobra.Command{Use: "delete APP NAME [--env ENV]", Short: "Delete a secret, every version", Args: exactArgs(2, "the app's name and the secret's NAME")}
	cmd.Flags().StringVar(&env, "env", "", "the environment it was set for (default: the value for every environment)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		ref := runway.SecretRef{App: args[0], Env: runway.Environment(env), Name: args[1]}
		if err := ref.Validate(); err != nil {
			return err
		}
		c, err := a.client()
		if err != nil {
			return err
		}
		if err := c.do(cmd.Context(), "DELETE", secretPath(ref), nil, nil); err != nil {
			return err
		}
		fmt.Fprintf(a.out, "Deleted %s of %s for %s. Processes that start from now on do not receive it.\n", ref.Name, ref.App, ref.EnvLabel())
		return nil
	}
	return cmd
}

func (a *app) secretsGenerateKey() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "generate-key --out FILE",
		Short: "Make a new secrets master key in a file only you can read",
		Long: "Make a new random master key (256 bits, base64) in a new file readable by you only. It seals app secrets in the database: " +
			"keep a copy in your secret manager, apart from the database's backups. Give it to runway up with secrets.master_key_file " +
			"(or the file's content in RUNWAY_MASTER_KEY); to replace a key in use, see runway secrets rotate-key.",
		Args: cobra.NoArgs,
	}
	cmd.Flags().StringVar(&out, "out", "", "the file to write (it must not exist)")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		if out == "" {
			return usageError(cmd, "Say where to write the key with --out FILE.")
		}
		k, text := secrets.GenerateMasterKey()
		if err := writeKeyFile(out, text); err != nil {
			return err
		}
		fmt.Fprintf(a.out, "Made master key %s in %s (readable by you only).\n"+
			"Keep a copy in your secret manager, apart from the database's backups: without it, the secrets sealed under it cannot be read.\n"+
			"Give it to runway up: secrets.master_key_file: %s\n", k.ID(), out, out)
		return nil
	}
	return cmd
}

// writeKeyFile writes a new key file, never over an existing one (the
// secrets sealed under that key would be lost with it).
func writeKeyFile(path, text string) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if errors.Is(err, os.ErrExist) {
		return runway.Errorf(runway.EINVALID, "%s exists already: a key file is never overwritten (the secrets sealed under its key would be lost); choose another name", path)
	}
	if err != nil {
		return runway.Errorf(runway.EINVALID, "cannot write %s: %v", path, err)
	}
	_, err = f.WriteString(text + "\n")
	if err := errors.Join(err, f.Sync(), f.Close()); err != nil {
		os.Remove(path)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

func (a *app) secretsRotateKey() *cobra.Command {
	var oldFiles []string
	var newFile string
	cmd := &cobra.Command{
		Use:   "rotate-key --old-key-file FILE --new-key-file FILE",
		Short: "Re-seal every app secret under a new master key (on the server's machine, against its database)",
		Long: "Re-seal the data key of every app secret under a new master key; values are not touched. It works on the database directly " +
			"(--data or --database-url, as runway up), in batches, each one transaction: stopped at any point, every secret still opens " +
			"with the key that sealed it, and running it again goes on. While servers run, first give each the new key " +
			"(secrets.master_key_file) and the old one (secrets.old_master_key_files) and restart them; afterwards remove the old key everywhere.",
		Args: cobra.NoArgs,
	}
	output := outputFlag(cmd)
	cmd.Flags().StringSliceVar(&oldFiles, "old-key-file", nil, "the master key the secrets are sealed under now (repeatable)")
	cmd.Flags().StringVar(&newFile, "new-key-file", "", "the new master key (runway secrets generate-key makes one)")
	cmd.Flags().String("data", "", "runway up's data folder, for SQLite (default ./runway-data; config server.data, RUNWAY_DATA)")
	cmd.Flags().String("database-url", "", "PostgreSQL URL instead of SQLite (config server.database_url, RUNWAY_DATABASE_URL)")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		if len(oldFiles) == 0 || newFile == "" {
			return usageError(cmd, "Give the current key with --old-key-file FILE and the new one with --new-key-file FILE.")
		}
		for flag, field := range map[string]*string{"data": &a.cfg.Server.Data, "database-url": &a.cfg.Server.DatabaseURL} {
			if cmd.Flags().Changed(flag) {
				*field, _ = cmd.Flags().GetString(flag)
			}
		}
		newKey, err := secrets.ReadMasterKeyFile(newFile)
		if err != nil {
			return err
		}
		var old []*secrets.MasterKey
		for _, f := range oldFiles {
			k, err := secrets.ReadMasterKeyFile(f)
			if err != nil {
				return err
			}
			if k.ID() == newKey.ID() {
				return runway.Errorf(runway.EINVALID, "%s and %s hold the same key (%s): make a new one with `runway secrets generate-key`", f, newFile, k.ID())
			}
			old = append(old, k)
		}
		store, err := a.openLocalStore(cmd.Context())
		if err != nil {
			return err
		}
		defer store.Close()
		rot, err := a.rotate(cmd.Context(), store, newKey, old)
		if err != nil {
			return err
		}
		if *output == "json" {
			return a.printJSON(rot)
		}
		fmt.Fprintf(a.out, "Done: every app secret is sealed under %s.\n"+
			"Next: give every server the new key only (secrets.master_key_file or RUNWAY_MASTER_KEY), remove the old one from "+
			"secrets.old_master_key_files, restart them, then destroy the old key and its copies.\n", newKey.ID())
		return nil
	}
	return cmd
}

// openLocalStore opens the server's database as runway up would, but
// never makes a new SQLite database where there is none.
func (a *app) openLocalStore(ctx context.Context) (*sqlstore.DB, error) {
	url := a.cfg.Server.DatabaseURL
	if url == "" {
		url = filepath.Join(a.cfg.Server.Data, "runway.db")
		if _, err := os.Stat(url); err != nil {
			return nil, runway.Errorf(runway.EINVALID, "there is no Runway database in %s: run this where runway up keeps its data (--data), or give --database-url", a.cfg.Server.Data)
		}
	}
	return sqlstore.Open(ctx, sqlstore.Options{URL: url})
}

// rotate re-seals every data key under newKey and prints its progress.
func (a *app) rotate(ctx context.Context, store *sqlstore.DB, newKey *secrets.MasterKey, old []*secrets.MasterKey) (*secrets.Rotation, error) {
	use, err := store.CountSecretKeys(ctx)
	if err != nil {
		return nil, err
	}
	total := 0
	for id, n := range use {
		if id != newKey.ID() {
			total += n
		}
	}
	done := 0
	progress := rewrapProgress{store, func(n int) {
		done += n
		fmt.Fprintf(a.err, "  re-sealed %d of %d\n", done, total)
	}}
	e := secrets.NewEnvelope(progress, newKey, old...)
	if err := e.CheckKeys(ctx); err != nil {
		return nil, err
	}
	fmt.Fprintf(a.err, "Re-sealing the data keys of %d app secrets under %s (values are not touched)...\n", total, newKey.ID())
	rot, err := e.Rotate(runway.WithActor(ctx, "local-admin"), newKey)
	if err != nil {
		return rot, &runway.Error{Code: runway.EUNAVAILABLE, Message: fmt.Sprintf("stopped after re-sealing %d of %d: every secret still opens with the key that sealed it; run the same command again to go on", done, total), Err: err}
	}
	if len(rot.Remaining) > 0 {
		return rot, runway.Errorf(runway.ECONFLICT, "secrets were sealed under an old key while this ran (%v): a server still seals new values with it. Give every server the new key as secrets.master_key_file and the old one in secrets.old_master_key_files, restart them, and run this again",
			slices.Sorted(maps.Keys(rot.Remaining)))
	}
	return rot, nil
}

// rewrapProgress reports each batch a rotation re-seals.
type rewrapProgress struct {
	runway.SecretStore
	batch func(n int)
}

// RewrapSecrets re-seals a batch and reports it.
func (p rewrapProgress) RewrapSecrets(ctx context.Context, keyID string, limit int, rewrap func(*runway.SealedSecret) error) (int, error) {
	n, err := p.SecretStore.RewrapSecrets(ctx, keyID, limit, rewrap)
	if err == nil && n > 0 {
		p.batch(n)
	}
	return n, err
}
