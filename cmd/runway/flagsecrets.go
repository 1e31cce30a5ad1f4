package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/config"
	"github.com/runwayhq/runway/flags"
	"github.com/runwayhq/runway/secrets"
	"github.com/runwayhq/runway/secrets/vault"
	"github.com/runwayhq/runway/sqlstore"
	"github.com/runwayhq/runway/web"
)

// flagSecrets is what `runway up` serves for feature flags and app
// secrets.
type flagSecrets struct {
	flags *flags.Service
	// secrets is nil when app secrets are off: PostgreSQL without a
	// master key (see dataMasterKey).
	secrets *secrets.Service
	// ofrep is the OFREP endpoint apps evaluate flags through.
	ofrep web.Registrar
}

// masterKeyFile is the master key `runway up` makes in its data folder
// when none is configured (SQLite only).
const masterKeyFile = "master.key"

// openFlagsAndSecrets builds the flag service, the OFREP endpoint and the
// secrets service over the configured backend. With the local backend it
// checks that the master keys it was given open every stored secret, so a
// wrong key stops the start instead of a deployment later.
func (s *server) openFlagsAndSecrets(ctx context.Context) error {
	s.flags = &flags.Service{Flags: s.store, Keys: s.store, Apps: s.store, Audit: s.store}
	s.ofrep = ofrepEndpoint{flags.NewHandler(s.store, s.store, flags.HandlerOptions{Logger: s.log})}
	var backend runway.SecretBackend
	var err error
	if s.cfg.Secrets.Backend == config.SecretsVault {
		backend, err = s.vaultBackend(ctx)
	} else {
		backend, err = s.envelope(ctx)
	}
	if err != nil || backend == nil {
		return err
	}
	s.secrets = secrets.New(secrets.Options{Backend: backend, Apps: s.store, Audit: s.store, Logger: s.log})
	return nil
}

// ofrepEndpoint mounts the OFREP handler beside the API.
type ofrepEndpoint struct{ h *flags.Handler }

// Register mounts /ofrep/v1/...; apps authenticate with a flag key.
func (o ofrepEndpoint) Register(mux *http.ServeMux) { mux.Handle("/ofrep/", o.h) }

// envelope returns the local backend: secrets sealed in the database
// under the master key, or nil when app secrets are off.
func (s *server) envelope(ctx context.Context) (runway.SecretBackend, error) {
	var old []*secrets.MasterKey
	for _, f := range s.cfg.Secrets.OldMasterKeyFiles {
		k, err := secrets.ReadMasterKeyFile(f)
		if err != nil {
			return nil, err
		}
		old = append(old, k)
	}
	current, from, err := s.masterKey(ctx)
	if err != nil || current == nil {
		return nil, err
	}
	e := secrets.NewEnvelope(s.store, current, old...)
	if err := e.CheckKeys(ctx); err != nil {
		return nil, &runway.Error{Code: runway.EINVALID, Message: fmt.Sprintf("the secrets master key from %s does not open the stored app secrets", from), Err: err}
	}
	return e, nil
}

// masterKey returns the master key that seals new secrets and says where
// it came from: RUNWAY_MASTER_KEY, the configured file, else the data
// folder's.
func (s *server) masterKey(ctx context.Context) (*secrets.MasterKey, string, error) {
	c := s.cfg.Secrets
	switch {
	case c.MasterKey != "":
		k, err := secrets.ParseMasterKey([]byte(c.MasterKey))
		if err != nil {
			return nil, "", &runway.Error{Code: runway.EINVALID, Message: "RUNWAY_MASTER_KEY", Err: err}
		}
		return k, "RUNWAY_MASTER_KEY", nil
	case c.MasterKeyFile != "":
		k, err := secrets.ReadMasterKeyFile(c.MasterKeyFile)
		return k, c.MasterKeyFile, err
	}
	return s.dataMasterKey(ctx)
}

// dataMasterKey is the master key of a server configured without one. On
// SQLite it lives in the data folder, made on first start: enough for one
// machine, and the log says to back it up apart from the database. On
// PostgreSQL every process needs the same key, which a data folder of
// each cannot give, so app secrets stay off until one is configured.
func (s *server) dataMasterKey(ctx context.Context) (*secrets.MasterKey, string, error) {
	stored, err := s.storedSecrets(ctx)
	if err != nil {
		return nil, "", err
	}
	if s.store.Dialect() == sqlstore.Postgres {
		if stored > 0 {
			return nil, "", runway.Errorf(runway.EINVALID, "the database holds %s, but this server has no master key to open them: give it the key they were sealed under (secrets.master_key_file or RUNWAY_MASTER_KEY)", secretCount(stored))
		}
		s.log.WarnContext(ctx, "app secrets are off: servers sharing PostgreSQL need one master key from outside; make one with `runway secrets generate-key` and set secrets.master_key_file or RUNWAY_MASTER_KEY")
		return nil, "", nil
	}
	path := filepath.Join(s.cfg.Server.Data, masterKeyFile)
	k, err := secrets.ReadMasterKeyFile(path)
	if _, statErr := os.Stat(path); err == nil || !errors.Is(statErr, fs.ErrNotExist) {
		return k, path, err
	}
	if stored > 0 {
		return nil, "", runway.Errorf(runway.EINVALID, "the secrets master key file %s is missing, but the database holds %s sealed under a key: restore the file from your backup (or point secrets.master_key_file at the key); without it they cannot be read", path, secretCount(stored))
	}
	k, text := secrets.GenerateMasterKey()
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, "", fmt.Errorf("make the secrets master key %s: %w", path, err)
	}
	_, err = f.WriteString(text + "\n")
	if err := errors.Join(err, f.Sync(), f.Close()); err != nil {
		os.Remove(path)
		return nil, "", fmt.Errorf("write the secrets master key %s: %w", path, err)
	}
	s.log.WarnContext(ctx, "made a new secrets master key in the data folder: back it up apart from the database, since whoever holds both can read every app secret; in production keep it outside the data folder (secrets.master_key_file or RUNWAY_MASTER_KEY)",
		"file", path, "key_id", k.ID())
	return k, path, nil
}

// secretCount says how many app secrets, in words.
func secretCount(n int) string {
	if n == 1 {
		return "1 app secret"
	}
	return fmt.Sprintf("%d app secrets", n)
}

// storedSecrets counts the app secrets sealed in the database.
func (s *server) storedSecrets(ctx context.Context) (int, error) {
	use, err := s.store.CountSecretKeys(ctx)
	n := 0
	for _, c := range use {
		n += c
	}
	return n, err
}

// vaultBackend returns the Vault backend; the token comes from
// RUNWAY_VAULT_TOKEN only.
func (s *server) vaultBackend(ctx context.Context) (runway.SecretBackend, error) {
	v := s.cfg.Secrets.Vault
	switch {
	case v.Address == "":
		return nil, runway.Errorf(runway.EINVALID, "secrets.backend is vault, but Vault's address is not set: set secrets.vault.address or RUNWAY_VAULT_ADDR")
	case v.Token == "":
		return nil, runway.Errorf(runway.EINVALID, "secrets.backend is vault, but RUNWAY_VAULT_TOKEN is not set: give Runway a Vault token that may create, read, update, delete and list under the mount's data/ and metadata/ paths of its prefix")
	}
	if n, err := s.storedSecrets(ctx); err != nil {
		return nil, err
	} else if n > 0 {
		s.log.WarnContext(ctx, "app secrets sealed in Runway's database are not used while secrets.backend is vault: set them again in Vault", "secrets", n)
	}
	return vault.New(vault.Options{Address: v.Address, Token: v.Token, Mount: v.Mount, Prefix: v.Prefix, Namespace: v.Namespace, Audit: s.store})
}
