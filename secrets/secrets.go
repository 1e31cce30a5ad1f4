// Package secrets keeps app secrets (the values behind the NAMEs that
// integrations declare in runway.yaml) and hands them to the runtime when a
// process starts, and at no other time.
//
// The Service is write-only for people: Set, Delete and List (names,
// versions, times, authors — never values). Resolve, for the runtime only,
// returns values, and only for names the app's manifest declares. Values
// live in a runway.SecretBackend: Envelope (AES-256-GCM envelope encryption
// in the server's database, with master key rotation) or secrets/vault
// (HashiCorp Vault KV version 2). No value is ever written to a log, an
// error or an audit entry.
//
// secrets imports only the root runway package. Who may set or list an
// app's secrets is decided by access, in the handler, before calling it.
package secrets

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/runwayhq/runway"
)

// DefaultMaxValueBytes is the largest value Set takes unless told
// otherwise: room for a PEM bundle or a service account file, well under
// what one environment variable may hold.
const DefaultMaxValueBytes = 64 << 10

// AppFinder finds an app with its manifest; runway.AppStore is one.
type AppFinder interface {
	FindApp(ctx context.Context, name string) (*runway.App, error)
}

// Options configure a Service.
type Options struct {
	// Backend keeps the values. Required.
	Backend runway.SecretBackend
	// Apps finds the manifest that says which secrets an app may receive.
	// Required.
	Apps AppFinder
	// Audit, when set, records each Resolve ("secret.resolve": the app,
	// the environment, the names and versions handed out).
	Audit runway.AuditRecorder
	// Logger receives one line per change and per Resolve, with names and
	// versions only. Nil logs nothing.
	Logger *slog.Logger
	// MaxValueBytes bounds a value; DefaultMaxValueBytes when zero.
	MaxValueBytes int
}

// Service sets, lists, deletes and resolves app secrets.
type Service struct {
	backend runway.SecretBackend
	apps    AppFinder
	audit   runway.AuditRecorder
	log     *slog.Logger
	max     int
}

// New returns a Service.
func New(o Options) *Service {
	if o.Backend == nil || o.Apps == nil {
		panic("secrets.New: Backend and Apps are required")
	}
	s := &Service{backend: o.Backend, apps: o.Apps, audit: o.Audit, log: o.Logger, max: o.MaxValueBytes}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.max <= 0 {
		s.max = DefaultMaxValueBytes
	}
	return s
}

// Set reads a value from r (at most MaxValueBytes; one trailing newline,
// as `echo` and editors add, is dropped) and stores it as the next version
// of ref's secret. The app must exist; the name need not be declared yet
// (set it before the manifest that uses it is deployed). EINVALID for a bad
// name, environment or value; ENOTFOUND when the app does not exist.
func (s *Service) Set(ctx context.Context, ref runway.SecretRef, r io.Reader) (*runway.SecretInfo, error) {
	if err := ref.Validate(); err != nil {
		return nil, err
	}
	if _, err := s.apps.FindApp(ctx, ref.App); err != nil {
		return nil, err
	}
	value, err := s.readValue(ref, r)
	if err != nil {
		return nil, err
	}
	defer clear(value)
	info, err := s.backend.PutSecret(ctx, ref, value)
	if err != nil {
		return nil, fmt.Errorf("set secret %s: %w", ref, err)
	}
	s.log.InfoContext(ctx, "secret set", "secret", ref.String(), "version", info.Version, "actor", runway.ActorFrom(ctx))
	return info, nil
}

// readValue reads and checks a value. Its errors say what is wrong with
// the value without quoting any of it.
func (s *Service) readValue(ref runway.SecretRef, r io.Reader) ([]byte, error) {
	// Up to two bytes more than the limit may be a trailing "\r\n"; a
	// third means the value is too large.
	value, err := io.ReadAll(io.LimitReader(r, int64(s.max)+3))
	if err != nil {
		return nil, &runway.Error{Code: runway.EINVALID, Message: fmt.Sprintf("could not read the value of secret %s", ref), Err: err}
	}
	tooLarge := len(value) > s.max+2
	if bytes.HasSuffix(value, []byte("\n")) {
		value = bytes.TrimSuffix(bytes.TrimSuffix(value, []byte("\n")), []byte("\r"))
	}
	switch {
	case tooLarge || len(value) > s.max:
		clear(value)
		return nil, runway.Errorf(runway.EINVALID, "the value of secret %s is larger than %s: secrets are keys, tokens and passwords; keep files elsewhere", ref, size(s.max))
	case len(value) == 0:
		return nil, runway.Errorf(runway.EINVALID, "the value of secret %s is empty: give it on standard input (it is never shown), or delete the secret", ref)
	case bytes.IndexByte(value, 0) >= 0 || !utf8.Valid(value):
		clear(value)
		return nil, runway.Errorf(runway.EINVALID, "the value of secret %s is not text: apps receive secrets as environment variables, so encode binary values (base64) first", ref)
	}
	return value, nil
}

// Delete removes ref's secret. ENOTFOUND when there is none.
func (s *Service) Delete(ctx context.Context, ref runway.SecretRef) error {
	if err := ref.Validate(); err != nil {
		return err
	}
	if err := s.backend.DeleteSecret(ctx, ref); err != nil {
		return err
	}
	s.log.InfoContext(ctx, "secret deleted", "secret", ref.String(), "actor", runway.ActorFrom(ctx))
	return nil
}

// List describes an app's secrets (names, environments, versions, times,
// authors), never their values. ENOTFOUND when the app does not exist.
func (s *Service) List(ctx context.Context, app string) ([]*runway.SecretInfo, error) {
	if _, err := s.apps.FindApp(ctx, app); err != nil {
		return nil, err
	}
	return s.backend.ListSecrets(ctx, app)
}

// Declared returns the secret NAMEs a manifest's integrations declare,
// sorted, each once: the only secrets a process of the app may receive.
func Declared(m *runway.Manifest) []string {
	var names []string
	for _, in := range m.Integrations {
		if in.Secret != "" && !slices.Contains(names, in.Secret) {
			names = append(names, in.Secret)
		}
	}
	slices.Sort(names)
	return names
}

// Missing returns the declared names that have no value for env (neither
// for env itself nor for every environment): a process started there would
// be refused. ENOTFOUND when the app does not exist.
func (s *Service) Missing(ctx context.Context, app string, env runway.Environment) ([]string, error) {
	a, err := s.apps.FindApp(ctx, app)
	if err != nil {
		return nil, err
	}
	infos, err := s.backend.ListSecrets(ctx, app)
	if err != nil {
		return nil, err
	}
	var missing []string
	for _, name := range Declared(&a.Manifest) {
		if !slices.ContainsFunc(infos, func(i *runway.SecretInfo) bool { return i.Name == name && (i.Env == env || i.Env == "") }) {
			missing = append(missing, name)
		}
	}
	return missing, nil
}

// Resolve returns the values a process of app starting in env receives,
// by name: for each name, the value set for env, else the value set for
// every environment. It is for the runtime, at process start, only.
//
// Every name must be declared by an integration in the app's registered
// manifest (EFORBIDDEN otherwise, naming the undeclared ones) and have a
// value (ENOTFOUND otherwise, naming the missing ones and how to set
// them); nothing is returned unless everything is.
func (s *Service) Resolve(ctx context.Context, app string, env runway.Environment, names []string) (map[string]string, error) {
	if !slices.Contains(runway.Environments, env) {
		return nil, runway.Errorf(runway.EINVALID, "environment %q: name the one the process starts in (%v)", env, runway.Environments)
	}
	a, err := s.apps.FindApp(ctx, app)
	if err != nil {
		return nil, err
	}
	names = slices.Compact(slices.Sorted(slices.Values(names)))
	declared := Declared(&a.Manifest)
	var undeclared []string
	for _, n := range names {
		if !slices.Contains(declared, n) {
			undeclared = append(undeclared, quoteName(n))
		}
	}
	if len(undeclared) > 0 {
		return nil, runway.Errorf(runway.EFORBIDDEN,
			"app %s does not declare %s in runway.yaml: a process receives only the secrets its integrations name (`secret: NAME`); add the integration, submit and deploy again",
			app, strings.Join(undeclared, ", "))
	}
	if len(names) == 0 {
		return map[string]string{}, nil
	}
	var refs []runway.SecretRef
	for _, n := range names {
		refs = append(refs, runway.SecretRef{App: app, Env: env, Name: n}, runway.SecretRef{App: app, Name: n})
	}
	got, err := s.backend.GetSecrets(ctx, refs)
	if err != nil {
		return nil, fmt.Errorf("resolve the secrets of app %s for %s: %w", app, env, err)
	}
	out := make(map[string]string, len(names))
	versions := map[string]any{}
	var missing []string
	for _, n := range names {
		v := got[runway.SecretRef{App: app, Env: env, Name: n}]
		if v == nil {
			v = got[runway.SecretRef{App: app, Name: n}]
		}
		if v == nil {
			missing = append(missing, n)
			continue
		}
		out[n] = string(v.Value)
		versions[n] = map[string]any{"env": v.EnvLabel(), "version": v.Version}
	}
	for _, v := range got {
		clear(v.Value)
	}
	if len(missing) > 0 {
		clear(out)
		return nil, runway.Errorf(runway.ENOTFOUND,
			"app %s has no value for %s in %s: set it with `runway secrets set %s %s --env %s` (the value is read from standard input)",
			app, strings.Join(missing, ", "), env, app, missing[0], env)
	}
	if s.audit != nil {
		if err := s.audit.RecordEvent(ctx, "secret.resolve", "app:"+app, map[string]any{"env": env, "secrets": versions}); err != nil {
			clear(out)
			return nil, fmt.Errorf("record the secrets handed to app %s: %w", app, err)
		}
	}
	s.log.InfoContext(ctx, "secrets resolved", "app", app, "env", string(env), "names", names)
	return out, nil
}

// quoteName shows a requested name in an error: as it is when it has the
// shape of a NAME, or as a notice that it has not (a caller that passed a
// value by mistake must not see it echoed).
func quoteName(n string) string {
	if runway.ValidSecretName(n) {
		return n
	}
	return "a malformed name"
}

// size says n bytes in words.
func size(n int) string {
	if n >= 1<<10 && n%(1<<10) == 0 {
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
