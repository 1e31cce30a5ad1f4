package opa

import (
	"context"
	"slices"

	"github.com/runwayhq/runway"
)

// Verdict decides like Decide and returns the decision in the form
// promotions use: the approvals with their reasons and the denies.
func (e *Engine) Verdict(ctx context.Context, ws *runway.Workspace, r *runway.Report) (*runway.PolicyVerdict, error) {
	d, err := e.decide(ctx, ws, r)
	if err != nil {
		return nil, err
	}
	v := &runway.PolicyVerdict{Decision: d.Decision, Tier: d.Tier, Reasons: slices.Clone(d.Risk.Reasons),
		Approvals: []runway.ApprovalRule{}, Denies: []string{}}
	for _, a := range d.Approvals {
		v.Approvals = append(v.Approvals, runway.ApprovalRule{Role: a.Role, Reason: a.Reason})
	}
	for _, x := range d.Denies {
		v.Denies = append(v.Denies, x.Message)
	}
	v.Denies = append(v.Denies, d.BlockingFindings...)
	return v, nil
}

// EnvironmentEngines decide per environment: one engine each, sharing options.
type EnvironmentEngines map[runway.Environment]*Engine

// NewEnvironmentEngines prepares one engine per environment.
func NewEnvironmentEngines(ctx context.Context, opt Options) (EnvironmentEngines, error) {
	out := EnvironmentEngines{}
	for _, env := range runway.Environments {
		o := opt
		o.Environment = string(env)
		e, err := New(ctx, o)
		if err != nil {
			return nil, err
		}
		out[env] = e
	}
	return out, nil
}

// DecideFor implements runway.EnvironmentDecider.
func (es EnvironmentEngines) DecideFor(ctx context.Context, env runway.Environment, ws *runway.Workspace, r *runway.Report) (*runway.PolicyVerdict, error) {
	e, ok := es[env]
	if !ok {
		return nil, runway.Errorf(runway.EINVALID, "environment %q: use sandbox, staging or production", env)
	}
	return e.Verdict(ctx, ws, r)
}
