// Package vault keeps app secrets in HashiCorp Vault's KV version 2 secrets
// engine: a runway.SecretBackend for platforms that already run Vault. A
// secret lives at MOUNT/data/PREFIX/APP/ENV/NAME (ENV "_all" for every
// environment) as {"value": "..."}; Vault versions, encrypts and audits it
// itself, and Runway records who set it in the secret's custom metadata
// (runway_updated_by) and in its own audit trail.
//
// The audit entry is written after Vault accepts the change: the two cannot
// share a transaction. A failure to record is returned as an error saying
// the change was made; Vault's own audit device is the second record.
//
// vault imports only the root runway package.
package vault

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/vault/api"

	"github.com/runwayhq/runway"
)

// Options configure the backend. The caller (config, through cmd/runway)
// reads them; this package reads no environment.
type Options struct {
	// Address is Vault's URL, such as https://vault.example.com:8200.
	Address string
	// Token authenticates to Vault; it needs create, read, update, delete
	// and list on MOUNT/data/PREFIX/* and MOUNT/metadata/PREFIX/*.
	Token string
	// Mount is the KV version 2 engine's mount path; "secret" when empty.
	Mount string
	// Prefix is the folder under the mount that holds Runway's secrets;
	// "runway" when empty.
	Prefix string
	// Namespace is a Vault Enterprise namespace; none when empty.
	Namespace string
	// HTTPClient carries the TLS settings; nil uses one that requires TLS
	// 1.2 and follows no redirects (the Vault client follows Vault's own).
	HTTPClient *http.Client
	// Timeout bounds each request; 10 seconds when zero.
	Timeout time.Duration
	// Audit records each change ("secret.set", "secret.delete"). Required.
	Audit runway.AuditRecorder
}

// Backend is a runway.SecretBackend on Vault KV version 2.
type Backend struct {
	client *api.Client
	kv     *api.KVv2
	mount  string
	prefix string
	audit  runway.AuditRecorder
}

var _ runway.SecretBackend = (*Backend)(nil)

var pathPart = regexp.MustCompile(`^[A-Za-z0-9][-A-Za-z0-9_.]*$`)

// New returns a backend. It does not contact Vault.
func New(o Options) (*Backend, error) {
	if o.Mount == "" {
		o.Mount = "secret"
	}
	if o.Prefix == "" {
		o.Prefix = "runway"
	}
	if o.Timeout == 0 {
		o.Timeout = 10 * time.Second
	}
	switch {
	case o.Address == "":
		return nil, runway.Errorf(runway.EINVALID, "Vault secrets: no Vault address given")
	case o.Token == "":
		return nil, runway.Errorf(runway.EINVALID, "Vault secrets: no Vault token given")
	case o.Audit == nil:
		return nil, runway.Errorf(runway.EINVALID, "Vault secrets: no audit recorder given")
	case !validPath(o.Mount):
		return nil, runway.Errorf(runway.EINVALID, "Vault secrets: mount %q: use letters, digits, dashes, dots and underscores, with / between parts", o.Mount)
	case !validPath(o.Prefix):
		return nil, runway.Errorf(runway.EINVALID, "Vault secrets: prefix %q: use letters, digits, dashes, dots and underscores, with / between parts", o.Prefix)
	}
	hc := o.HTTPClient
	if hc == nil {
		hc = &http.Client{
			Transport: &http.Transport{
				Proxy:               http.ProxyFromEnvironment,
				TLSClientConfig:     &tls.Config{MinVersion: tls.VersionTLS12},
				TLSHandshakeTimeout: 10 * time.Second,
				MaxIdleConnsPerHost: 8,
				IdleConnTimeout:     90 * time.Second,
			},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	client, err := api.NewClient(&api.Config{Address: o.Address, HttpClient: hc, Timeout: o.Timeout, MaxRetries: 2})
	if err != nil {
		return nil, runway.Errorf(runway.EINVALID, "Vault secrets: %v", err)
	}
	// The client picks up VAULT_TOKEN, VAULT_NAMESPACE and VAULT_HEADERS
	// from the environment by itself; replace all of it with what was
	// configured.
	client.SetHeaders(http.Header{api.RequestHeaderName: []string{"true"}})
	client.SetToken(o.Token)
	if o.Namespace != "" {
		client.SetNamespace(o.Namespace)
	}
	return &Backend{client: client, kv: client.KVv2(o.Mount), mount: o.Mount, prefix: o.Prefix, audit: o.Audit}, nil
}

func validPath(p string) bool {
	for part := range strings.SplitSeq(p, "/") {
		if !pathPart.MatchString(part) || part == ".." {
			return false
		}
	}
	return true
}

// allEnvironments is the path part for a value set for every environment.
const allEnvironments = "_all"

func envPart(e runway.Environment) string {
	if e == "" {
		return allEnvironments
	}
	return string(e)
}

// path returns a secret's path under the mount.
func (b *Backend) path(r runway.SecretRef) string {
	return b.prefix + "/" + r.App + "/" + envPart(r.Env) + "/" + r.Name
}

// PutSecret writes value as the next version, records the author in the
// secret's custom metadata, and audits the change.
func (b *Backend) PutSecret(ctx context.Context, ref runway.SecretRef, value []byte) (*runway.SecretInfo, error) {
	if err := ref.Validate(); err != nil {
		return nil, err
	}
	actor := runway.ActorFrom(ctx)
	if actor == "" {
		return nil, runway.Errorf(runway.EINTERNAL, "secret.set on %s: no actor in the context, so the change cannot be audited", ref)
	}
	p := b.path(ref)
	if _, err := b.kv.Put(ctx, p, map[string]any{"value": string(value)}); err != nil {
		return nil, vaultError("store secret "+ref.String(), err)
	}
	if err := b.kv.PatchMetadata(ctx, p, api.KVMetadataPatchInput{CustomMetadata: map[string]any{"runway_updated_by": actor}}); err != nil {
		return nil, vaultError("record who set secret "+ref.String(), err)
	}
	info, err := b.info(ctx, ref)
	if err != nil {
		return nil, err
	}
	if err := b.audit.RecordEvent(ctx, "secret.set", "secret:"+ref.String(), map[string]any{"version": info.Version, "backend": "vault"}); err != nil {
		return nil, fmt.Errorf("secret %s was stored in Vault (version %d), but Runway's audit entry was not written: %w", ref, info.Version, err)
	}
	return info, nil
}

// info reads a secret's metadata.
func (b *Backend) info(ctx context.Context, ref runway.SecretRef) (*runway.SecretInfo, error) {
	m, err := b.kv.GetMetadata(ctx, b.path(ref))
	if errors.Is(err, api.ErrSecretNotFound) {
		return nil, runway.Errorf(runway.ENOTFOUND, "app %s has no secret %s for %s", ref.App, ref.Name, ref.EnvLabel())
	}
	if err != nil {
		return nil, vaultError("read secret "+ref.String(), err)
	}
	by, _ := m.CustomMetadata["runway_updated_by"].(string)
	return &runway.SecretInfo{
		SecretRef: ref, Version: m.CurrentVersion,
		CreatedAt: m.CreatedTime.UTC(), UpdatedAt: m.UpdatedTime.UTC(), UpdatedBy: by,
	}, nil
}

// DeleteSecret removes every version and the metadata of ref's secret.
func (b *Backend) DeleteSecret(ctx context.Context, ref runway.SecretRef) error {
	if err := ref.Validate(); err != nil {
		return err
	}
	if runway.ActorFrom(ctx) == "" {
		return runway.Errorf(runway.EINTERNAL, "secret.delete on %s: no actor in the context, so the change cannot be audited", ref)
	}
	info, err := b.info(ctx, ref)
	if err != nil {
		return err
	}
	if err := b.kv.DeleteMetadata(ctx, b.path(ref)); err != nil {
		return vaultError("delete secret "+ref.String(), err)
	}
	if err := b.audit.RecordEvent(ctx, "secret.delete", "secret:"+ref.String(), map[string]any{"version": info.Version, "backend": "vault"}); err != nil {
		return fmt.Errorf("secret %s was deleted from Vault, but Runway's audit entry was not written: %w", ref, err)
	}
	return nil
}

// ListSecrets lists the app's folder, each environment's folder, and each
// secret's metadata; it reads no value.
func (b *Backend) ListSecrets(ctx context.Context, app string) ([]*runway.SecretInfo, error) {
	if err := (runway.SecretRef{App: app, Name: "X"}).Validate(); err != nil {
		return nil, err
	}
	envs, err := b.list(ctx, b.prefix+"/"+app)
	if err != nil {
		return nil, err
	}
	var out []*runway.SecretInfo
	for _, e := range envs {
		env := runway.Environment(strings.TrimSuffix(e, "/"))
		if env == allEnvironments {
			env = ""
		}
		if !strings.HasSuffix(e, "/") || (env != "" && !slices.Contains(runway.Environments, env)) {
			continue // not Runway's
		}
		names, err := b.list(ctx, b.prefix+"/"+app+"/"+envPart(env))
		if err != nil {
			return nil, err
		}
		for _, n := range names {
			ref := runway.SecretRef{App: app, Env: env, Name: n}
			if ref.Validate() != nil {
				continue
			}
			info, err := b.info(ctx, ref)
			if runway.ErrorCode(err) == runway.ENOTFOUND {
				continue // deleted meanwhile
			}
			if err != nil {
				return nil, err
			}
			out = append(out, info)
		}
	}
	slices.SortFunc(out, func(x, y *runway.SecretInfo) int {
		if c := strings.Compare(x.Name, y.Name); c != 0 {
			return c
		}
		return strings.Compare(string(x.Env), string(y.Env))
	})
	return out, nil
}

// list returns the keys under a metadata folder (folders end in "/").
func (b *Backend) list(ctx context.Context, folder string) ([]string, error) {
	s, err := b.client.Logical().ListWithContext(ctx, b.mount+"/metadata/"+folder)
	if err != nil {
		return nil, vaultError("list "+folder, err)
	}
	if s == nil || s.Data == nil {
		return nil, nil
	}
	raw, _ := s.Data["keys"].([]any)
	var keys []string
	for _, k := range raw {
		if k, ok := k.(string); ok {
			keys = append(keys, k)
		}
	}
	return keys, nil
}

// GetSecrets reads the latest version of each ref; a ref with no secret,
// or whose latest version was deleted in Vault, is left out.
func (b *Backend) GetSecrets(ctx context.Context, refs []runway.SecretRef) (map[runway.SecretRef]*runway.SecretValue, error) {
	out := map[runway.SecretRef]*runway.SecretValue{}
	for _, ref := range refs {
		if err := ref.Validate(); err != nil {
			return nil, err
		}
		if _, done := out[ref]; done {
			continue
		}
		s, err := b.kv.Get(ctx, b.path(ref))
		if errors.Is(err, api.ErrSecretNotFound) || (err == nil && s.Data == nil) {
			continue
		}
		if err != nil {
			return nil, vaultError("read secret "+ref.String(), err)
		}
		value, ok := s.Data["value"].(string)
		if !ok {
			return nil, runway.Errorf(runway.EINTERNAL, "secret %s in Vault has no text field \"value\": Runway stores {\"value\": ...}; set the secret again with `runway secrets set`", ref)
		}
		v := &runway.SecretValue{SecretInfo: runway.SecretInfo{SecretRef: ref}, Value: []byte(value)}
		if s.VersionMetadata != nil {
			v.Version, v.UpdatedAt = s.VersionMetadata.Version, s.VersionMetadata.CreatedTime.UTC()
		}
		out[ref] = v
	}
	return out, nil
}

// vaultError turns a Vault client error into a runway.Error that says what
// could not be done and why. Vault's messages name paths, never values.
func vaultError(op string, err error) error {
	var re *api.ResponseError
	switch {
	case errors.As(err, &re) && re.StatusCode == http.StatusForbidden:
		return &runway.Error{Code: runway.EUNAVAILABLE, Message: fmt.Sprintf("Vault refused to %s: Runway's Vault token lacks a policy for it, or has expired", op), Err: err}
	case errors.As(err, &re):
		return &runway.Error{Code: runway.EUNAVAILABLE, Message: fmt.Sprintf("Vault could not %s (HTTP %d)", op, re.StatusCode), Err: err}
	}
	return &runway.Error{Code: runway.EUNAVAILABLE, Message: fmt.Sprintf("cannot reach Vault to %s", op), Err: err}
}
