package flags

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/access"
)

// SaveGroup creates or replaces one of an app's groups. A group used by a
// production flag changes who gets what in production, so changing it
// takes what changing a production flag takes.
func (s *Service) SaveGroup(ctx context.Context, p access.Principal, g runway.FlagGroup) (*runway.FlagGroup, error) {
	a, err := s.app(ctx, p, g.App)
	if err != nil {
		return nil, err
	}
	if err := ValidateGroup(&g); err != nil {
		return nil, err
	}
	prod, err := s.Flags.FindFlags(ctx, runway.FlagFilter{App: g.App, Environment: runway.EnvProduction})
	if err != nil {
		return nil, err
	}
	env := runway.EnvStaging
	if slices.ContainsFunc(prod, func(f *runway.Flag) bool { return usesGroup(f, g.Name) }) {
		env = runway.EnvProduction
	}
	if !MayChange(p, a.Team, env) {
		who := whoChanges
		if env == runway.EnvProduction {
			who = "a production flag uses this group, and " + whoChangesPr
		}
		return nil, refuse(p, fmt.Sprintf("change group %s of %s", g.Name, g.App), who)
	}
	if err := s.Flags.SaveFlagGroup(runway.WithActor(ctx, p.Actor()), &g); err != nil {
		return nil, err
	}
	return &g, nil
}

// Groups lists an app's groups.
func (s *Service) Groups(ctx context.Context, p access.Principal, app string) ([]*runway.FlagGroup, error) {
	if !MayRead(p) {
		return nil, refuse(p, "see flags", "everyone signed in may")
	}
	if _, err := s.Apps.FindApp(ctx, app); err != nil {
		return nil, err
	}
	return s.Flags.FindFlagGroups(ctx, app)
}

// usesGroup reports whether a flag's rules name the group.
func usesGroup(f *runway.Flag, group string) bool {
	for _, r := range f.Rules {
		for _, c := range r.Conditions {
			if (c.Op == runway.OpInGroup || c.Op == runway.OpNotInGroup) && slices.Contains(c.Values, group) {
				return true
			}
		}
	}
	return false
}

// CreateKey makes a flag key for an app's code in one environment and
// returns it with its secret, which is shown this once: the platform keeps
// only its SHA-256. Give it to the app as a secret (never in a
// repository); the app sends it as "Authorization: Bearer SECRET" or
// "X-API-Key: SECRET".
func (s *Service) CreateKey(ctx context.Context, p access.Principal, app string, env runway.Environment, name string) (*runway.FlagKey, string, error) {
	a, err := s.app(ctx, p, app)
	if err != nil {
		return nil, "", err
	}
	if err := validEnv(env); err != nil {
		return nil, "", err
	}
	if !MayChange(p, a.Team, env) {
		return nil, "", refuse(p, fmt.Sprintf("make flag keys of %s for %s", app, env), whoFor(env))
	}
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 100 {
		return nil, "", runway.Errorf(runway.EINVALID, "name the key (1 to 100 characters), after where it is used: \"web server\", \"nightly job\"")
	}
	k := &runway.FlagKey{App: app, Environment: env, Name: name}
	secret := runway.NewFlagKeySecret()
	if err := s.Keys.CreateFlagKey(runway.WithActor(ctx, p.Actor()), k, secret); err != nil {
		return nil, "", err
	}
	return k, secret, nil
}

// RevokeKey revokes one of an app's flag keys: the OFREP endpoint refuses
// it within its cache time.
func (s *Service) RevokeKey(ctx context.Context, p access.Principal, app string, id int64) error {
	a, err := s.app(ctx, p, app)
	if err != nil {
		return err
	}
	keys, err := s.Keys.FindFlagKeys(ctx, app)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(keys, func(k *runway.FlagKey) bool { return k.ID == id })
	if i < 0 {
		return runway.Errorf(runway.ENOTFOUND, "app %s has no flag key %d", app, id)
	}
	if env := keys[i].Environment; !MayChange(p, a.Team, env) {
		return refuse(p, fmt.Sprintf("revoke flag keys of %s for %s", app, env), whoFor(env))
	}
	return s.Keys.RevokeFlagKey(runway.WithActor(ctx, p.Actor()), app, id)
}

// ListKeys lists an app's flag keys (never their secrets).
func (s *Service) ListKeys(ctx context.Context, p access.Principal, app string) ([]*runway.FlagKey, error) {
	a, err := s.app(ctx, p, app)
	if err != nil {
		return nil, err
	}
	if !MaySeeKeys(p, a.Team) {
		return nil, refuse(p, "see the flag keys of "+app, whoSeesKeys)
	}
	return s.Keys.FindFlagKeys(ctx, app)
}

func whoFor(env runway.Environment) string {
	if env == runway.EnvProduction {
		return whoChangesPr
	}
	return whoChanges
}
