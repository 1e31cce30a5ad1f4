// Package flags runs feature flags: per app and environment, boolean,
// string, number and object variants, targeting rules over the evaluation
// context and the app's groups, percentage rollouts on runway.Bucket's
// 10,000 buckets, a kill switch, and an OpenFeature Remote Evaluation
// Protocol (OFREP) endpoint that apps evaluate them through with a flag
// key.
//
// The evaluation (Snapshot) is a pure function over a flag's definition
// and a context. Service holds the rules of who may change what
// (authorize.go) and "off by default in production"; the store keeps the
// flags and audits every change in the same transaction.
//
// flags imports the root package and access.
package flags

import (
	"context"
	"slices"
	"strings"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/access"
)

// Service manages flags, groups and flag keys on behalf of people.
type Service struct {
	Flags runway.FlagStore
	Keys  runway.FlagKeyStore
	Apps  runway.AppStore
	// Audit reads a flag's history; History refuses without it.
	Audit runway.AuditLog
}

// Create creates a flag of app in each environment of envs (every
// environment when envs is empty). Flags in production always start off,
// whatever spec says: they serve their off variant until a team lead turns
// them on (SetEnabled). Elsewhere they start as spec.Enabled says, on when
// it says nothing. Creating an off flag exposes nobody, so whoever may
// change the app's flags in staging may create it in production too.
func (s *Service) Create(ctx context.Context, p access.Principal, app string, envs []runway.Environment, spec Spec) ([]*runway.Flag, error) {
	a, err := s.app(ctx, p, app)
	if err != nil {
		return nil, err
	}
	if !MayChange(p, a.Team, runway.EnvStaging) {
		return nil, refuse(p, "create flags of "+app, whoChanges)
	}
	if len(envs) == 0 {
		envs = runway.Environments
	}
	for _, env := range envs {
		if err := validEnv(env); err != nil {
			return nil, err
		}
	}
	spec.Defaults()
	groups, err := s.groupNames(ctx, app)
	if err != nil {
		return nil, err
	}
	var out []*runway.Flag
	for _, env := range envs {
		f := spec.Flag()
		f.App, f.Environment = app, env
		if env == runway.EnvProduction {
			f.Enabled = false
		}
		if err := Validate(f, groups); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	if err := s.Flags.CreateFlags(runway.WithActor(ctx, p.Actor()), out...); err != nil {
		return nil, err
	}
	return out, nil
}

// Update replaces the definition of flag key with spec, if the flag is
// still at version (the one the person edited). Its key and type cannot
// change (spec may leave them out); spec.Enabled left out keeps it on or
// off as it is. ECONFLICT when someone changed it in between.
func (s *Service) Update(ctx context.Context, p access.Principal, app string, env runway.Environment, key string, version int64, spec Spec) (*runway.Flag, error) {
	f, err := s.forChange(ctx, p, app, env, key, "change")
	if err != nil {
		return nil, err
	}
	if spec.Key != "" && spec.Key != key {
		return nil, runway.Errorf(runway.EINVALID, "the definition is of flag %s, not %s: a flag's key cannot change; create a new flag instead", spec.Key, key)
	}
	spec.Key = key
	if spec.Type != "" && spec.Type != f.Type {
		return nil, runway.Errorf(runway.EINVALID, "flag %s is a %s flag and stays one: apps ask for it by type; create a new flag for %s values", f.Key, f.Type, spec.Type)
	}
	spec.Type = f.Type
	spec.Defaults()
	next := spec.Flag()
	next.ID, next.App, next.Environment, next.Version = f.ID, f.App, f.Environment, version
	if spec.Enabled == nil {
		next.Enabled = f.Enabled
	}
	groups, err := s.groupNames(ctx, app)
	if err != nil {
		return nil, err
	}
	if err := Validate(next, groups); err != nil {
		return nil, err
	}
	if err := s.Flags.UpdateFlag(runway.WithActor(ctx, p.Actor()), next); err != nil {
		return nil, err
	}
	return next, nil
}

// SetEnabled turns a flag on or off. Turning on a killed flag clears its
// kill.
func (s *Service) SetEnabled(ctx context.Context, p access.Principal, app string, env runway.Environment, key string, on bool) (*runway.Flag, error) {
	verb := "turn off"
	if on {
		verb = "turn on"
	}
	f, err := s.forChange(ctx, p, app, env, key, verb)
	if err != nil {
		return nil, err
	}
	if f.Enabled == on {
		return f, nil
	}
	f.Enabled = on
	if err := s.Flags.UpdateFlag(runway.WithActor(ctx, p.Actor()), f); err != nil {
		return nil, err
	}
	return f, nil
}

// Kill pulls the kill switch: the flag is off in env for everyone at once
// (within the OFREP handler's cache time), and the audit trail says who
// did it and why. It works whatever the flag's version, and whoever may
// answer for the team's releases may do it (see MayKill).
func (s *Service) Kill(ctx context.Context, p access.Principal, app string, env runway.Environment, key, reason string) (*runway.Flag, error) {
	a, err := s.app(ctx, p, app)
	if err != nil {
		return nil, err
	}
	if !MayKill(p, a.Team) {
		return nil, refuse(p, "pull the kill switch of "+app+"'s flags", whoKills)
	}
	if err := validEnv(env); err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, runway.Errorf(runway.EINVALID, "say why you kill flag %s (--reason): the team reads it when they turn it back on", key)
	}
	return s.Flags.KillFlag(runway.WithActor(ctx, p.Actor()), app, env, key, reason)
}

// Get returns one flag.
func (s *Service) Get(ctx context.Context, p access.Principal, app string, env runway.Environment, key string) (*runway.Flag, error) {
	if !MayRead(p) {
		return nil, refuse(p, "see flags", "everyone signed in may")
	}
	return s.Flags.FindFlag(ctx, app, env, key)
}

// List lists an app's flags in env, or in every environment when env is
// "".
func (s *Service) List(ctx context.Context, p access.Principal, app string, env runway.Environment) ([]*runway.Flag, error) {
	if !MayRead(p) {
		return nil, refuse(p, "see flags", "everyone signed in may")
	}
	if _, err := s.Apps.FindApp(ctx, app); err != nil {
		return nil, err
	}
	if env != "" {
		if err := validEnv(env); err != nil {
			return nil, err
		}
	}
	return s.Flags.FindFlags(ctx, runway.FlagFilter{App: app, Environment: env})
}

// History returns a flag's changes, oldest first: each entry's data holds
// the whole definition after the change (or the kill's reason).
func (s *Service) History(ctx context.Context, p access.Principal, app string, env runway.Environment, key string, page runway.Page) ([]*runway.AuditEntry, error) {
	if !MayRead(p) {
		return nil, refuse(p, "see flags", "everyone signed in may")
	}
	if s.Audit == nil {
		return nil, runway.Errorf(runway.EUNAVAILABLE, "flag history is not available on this server")
	}
	return s.Audit.AuditEntries(ctx, runway.AuditFilter{Subject: runway.FlagSubject(app, env, key), Page: page})
}

// Evaluate evaluates a flag for a context as the OFREP endpoint would, for
// people trying a flag out ("what does ana@example.com get?").
func (s *Service) Evaluate(ctx context.Context, p access.Principal, app string, env runway.Environment, key string, c Context) (*Evaluation, error) {
	if !MayRead(p) {
		return nil, refuse(p, "see flags", "everyone signed in may")
	}
	snap, err := LoadSnapshot(ctx, s.Flags, app, env)
	if err != nil {
		return nil, err
	}
	e := snap.Evaluate(key, c)
	return &e, nil
}

// LoadSnapshot reads an app environment's flags and the app's groups.
func LoadSnapshot(ctx context.Context, store runway.FlagStore, app string, env runway.Environment) (*Snapshot, error) {
	fs, err := store.FindFlags(ctx, runway.FlagFilter{App: app, Environment: env})
	if err != nil {
		return nil, err
	}
	gs, err := store.FindFlagGroups(ctx, app)
	if err != nil {
		return nil, err
	}
	return NewSnapshot(fs, gs), nil
}

// forChange finds a flag that p may change in env.
func (s *Service) forChange(ctx context.Context, p access.Principal, app string, env runway.Environment, key, verb string) (*runway.Flag, error) {
	a, err := s.app(ctx, p, app)
	if err != nil {
		return nil, err
	}
	if err := validEnv(env); err != nil {
		return nil, err
	}
	if !MayChange(p, a.Team, env) {
		who := whoChanges
		if env == runway.EnvProduction {
			who = whoChangesPr
		}
		return nil, refuse(p, verb+" flags of "+app+" in "+string(env), who)
	}
	return s.Flags.FindFlag(ctx, app, env, key)
}

// app returns the app, after making sure someone is signed in.
func (s *Service) app(ctx context.Context, p access.Principal, name string) (*runway.App, error) {
	if p.User == nil {
		return nil, refuse(p, "", "")
	}
	return s.Apps.FindApp(ctx, name)
}

func (s *Service) groupNames(ctx context.Context, app string) ([]string, error) {
	gs, err := s.Flags.FindFlagGroups(ctx, app)
	if err != nil {
		return nil, err
	}
	names := []string{}
	for _, g := range gs {
		names = append(names, g.Name)
	}
	return names, nil
}

func validEnv(env runway.Environment) error {
	if !slices.Contains(runway.Environments, env) {
		return runway.Errorf(runway.EINVALID, "environment %q: use one of %v", env, runway.Environments)
	}
	return nil
}
