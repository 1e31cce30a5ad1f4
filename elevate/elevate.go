// Package elevate runs time-limited elevated access: a person asks for a
// role (on a team, or on the team of an app) for a few hours with a
// reason; someone else who holds the right role approves it; it ends by
// itself. Every step is audited, and an active grant counts only until it
// expires, whether or not the expiry job has run.
//
// elevate imports the root package and access.
package elevate

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/access"
)

// MaxDuration is the longest elevated access one request may ask for.
const MaxDuration = 72 * time.Hour

// Service runs access requests.
type Service struct {
	Grants runway.GrantStore
	Apps   runway.AppStore
	Now    func() time.Time
}

// Request asks for elevated access.
type Request struct {
	Role   runway.Role `json:"role"`
	Team   string      `json:"team,omitempty"`
	App    string      `json:"app,omitempty"`
	Hours  float64     `json:"hours"`
	Reason string      `json:"reason"`
}

// Request records an access request.
func (s *Service) Request(ctx context.Context, p access.Principal, req Request) (*runway.AccessGrant, error) {
	if err := access.Require(p, access.RequestAccess, ""); err != nil {
		return nil, err
	}
	req.Reason = strings.TrimSpace(req.Reason)
	d := time.Duration(req.Hours * float64(time.Hour))
	switch {
	case !slices.Contains(runway.Roles, req.Role):
		return nil, runway.Errorf(runway.EINVALID, "role %q: ask for one of %v", req.Role, runway.Roles)
	case d < 15*time.Minute || d > MaxDuration:
		return nil, runway.Errorf(runway.EINVALID, "ask for between 0.25 and %g hours (--hours); you asked for %g", MaxDuration.Hours(), req.Hours)
	case len(req.Reason) < 10:
		return nil, runway.Errorf(runway.EINVALID, "say why you need it (--reason, at least 10 characters): the approver decides on it and the audit trail keeps it")
	}
	if req.App != "" {
		app, err := s.Apps.FindApp(ctx, req.App)
		if err != nil {
			return nil, err
		}
		if req.Team != "" && req.Team != app.Team {
			return nil, runway.Errorf(runway.EINVALID, "app %s belongs to team %s, not %s: name the app or the team, not both", app.Name, app.Team, req.Team)
		}
		req.Team = app.Team
	}
	if req.Role.TeamScoped() != (req.Team != "") {
		if req.Role.TeamScoped() {
			return nil, runway.Errorf(runway.EINVALID, "%s is a team role: name the team (--team) or the app (--app)", req.Role)
		}
		return nil, runway.Errorf(runway.EINVALID, "%s is an organisation role: do not name a team or an app", req.Role)
	}
	for _, g := range p.User.Grants {
		if g.Role == req.Role && g.Team == req.Team {
			return nil, runway.Errorf(runway.ECONFLICT, "you already hold %s%s", req.Role, onTeam(req.Team))
		}
	}
	g := &runway.AccessGrant{User: p.Actor(), Role: req.Role, Team: req.Team, App: req.App, Reason: req.Reason, Duration: d, State: runway.GrantRequested}
	n := runway.Notice{
		Kind: runway.NoticeAccessRequested, Team: req.Team, App: req.App, Actor: p.Actor(), At: s.now(),
		Title:     fmt.Sprintf("%s asks for %s%s for %s", who(p.Actor()), req.Role, onTeam(req.Team), d),
		Text:      []string{"Reason: " + req.Reason, fmt.Sprintf("It may be approved by %s, with `runway access list` and `runway access approve ID`.", Approvers(req.Role, req.Team))},
		Requested: approverRoles(req.Role),
	}
	if err := s.Grants.CreateGrant(runway.WithActor(ctx, p.Actor()), g, n); err != nil {
		return nil, err
	}
	return g, nil
}

// approverRoles lists the roles that may approve access to role.
func approverRoles(role runway.Role) []runway.Role {
	switch {
	case role.TeamScoped():
		return []runway.Role{runway.RoleTeamLead, runway.RoleAdmin}
	case role == runway.RoleAdmin:
		return []runway.Role{runway.RoleAdmin}
	}
	return []runway.Role{role, runway.RoleAdmin}
}

// outcome tells the requester how their request stands.
func outcome(tx *runway.GrantTx, actor, what string) {
	g := tx.Grant
	tx.Notices = append(tx.Notices, runway.Notice{
		Kind: runway.NoticeAccessOutcome, Team: g.Team, App: g.App, Actor: actor, At: tx.Now, To: []string{g.User},
		Title: fmt.Sprintf("Access %d (%s%s for %s): %s", g.ID, g.Role, onTeam(g.Team), who(g.User), g.State),
		Text:  []string{what},
	})
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func who(actor string) string { return strings.TrimPrefix(actor, "user:") }

// Approvers says who may approve a request for role on team.
func Approvers(role runway.Role, team string) string {
	switch {
	case role.TeamScoped():
		return fmt.Sprintf("a team lead of %s or an admin", team)
	case role == runway.RoleAdmin:
		return "another admin"
	}
	return fmt.Sprintf("someone who holds %s, or an admin", role)
}

// mayDecide reports whether p may approve g: never their own, and only
// who holds the role being given (on its team) or is an admin.
func mayDecide(p access.Principal, g *runway.AccessGrant) error {
	if p.Actor() == g.User {
		return runway.Errorf(runway.EFORBIDDEN, "you cannot approve your own access request: ask %s", Approvers(g.Role, g.Team))
	}
	for _, h := range p.User.Grants {
		switch {
		case h.Role == runway.RoleAdmin:
			return nil
		case g.Role.TeamScoped() && h.Role == runway.RoleTeamLead && h.Team == g.Team:
			return nil
		case !g.Role.TeamScoped() && g.Role != runway.RoleAdmin && h.Role == g.Role:
			return nil
		}
	}
	return runway.Errorf(runway.EFORBIDDEN, "only %s may approve access to %s%s", Approvers(g.Role, g.Team), g.Role, onTeam(g.Team))
}

// Decide approves or rejects a request; note is required to reject.
func (s *Service) Decide(ctx context.Context, p access.Principal, id int64, approve bool, note string) (*runway.AccessGrant, error) {
	if p.User == nil {
		return nil, access.Require(p, access.RequestAccess, "")
	}
	note = strings.TrimSpace(note)
	if !approve && note == "" {
		return nil, runway.Errorf(runway.EINVALID, "say why you reject it (--reason)")
	}
	return s.Grants.ChangeGrant(runway.WithActor(ctx, p.Actor()), id, func(tx *runway.GrantTx) error {
		g, now := tx.Grant, tx.Now
		if err := mayDecide(p, g); err != nil {
			return err
		}
		if g.State != runway.GrantRequested {
			return runway.Errorf(runway.ECONFLICT, "access request %d is already %s", g.ID, g.State)
		}
		g.DecidedBy, g.Note, g.DecidedAt = p.Actor(), note, &now
		if !approve {
			g.State = runway.GrantRejected
			tx.Events = append(tx.Events, runway.Event{Action: "access.reject", Data: map[string]any{"by": p.Actor(), "reason": note}})
			outcome(tx, p.Actor(), fmt.Sprintf("Rejected by %s: %s", who(p.Actor()), note))
			return nil
		}
		until := now.Add(g.Duration)
		g.State, g.ExpiresAt = runway.GrantActive, &until
		tx.Events = append(tx.Events, runway.Event{Action: "access.approve", Data: map[string]any{"by": p.Actor(), "user": g.User, "role": g.Role, "team": g.Team, "until": until, "note": note}})
		outcome(tx, p.Actor(), fmt.Sprintf("Approved by %s; it ends by itself at %s.", who(p.Actor()), until.Format("Mon 2 Jan 15:04 MST")))
		return nil
	})
}

// Revoke ends a request or an active grant early: its holder, someone who
// may approve it, or an admin may.
func (s *Service) Revoke(ctx context.Context, p access.Principal, id int64, note string) (*runway.AccessGrant, error) {
	if p.User == nil {
		return nil, access.Require(p, access.RequestAccess, "")
	}
	return s.Grants.ChangeGrant(runway.WithActor(ctx, p.Actor()), id, func(tx *runway.GrantTx) error {
		g, now := tx.Grant, tx.Now
		if p.Actor() != g.User {
			if err := mayDecide(p, g); err != nil {
				return err
			}
		}
		if g.State != runway.GrantRequested && g.State != runway.GrantActive {
			return runway.Errorf(runway.ECONFLICT, "access request %d is already %s", g.ID, g.State)
		}
		g.State, g.ExpiresAt = runway.GrantRevoked, &now
		if g.DecidedAt == nil {
			g.DecidedAt = &now
		}
		tx.Events = append(tx.Events, runway.Event{Action: "access.revoke", Data: map[string]any{"by": p.Actor(), "reason": strings.TrimSpace(note)}})
		if p.Actor() != g.User {
			outcome(tx, p.Actor(), "Ended early by "+who(p.Actor())+".")
		}
		return nil
	})
}

// List lists access requests: one's own, or everyone's for those who may
// approve some (admins, team leads, security, platform).
func (s *Service) List(ctx context.Context, p access.Principal, f runway.GrantFilter) ([]*runway.AccessGrant, error) {
	if err := access.Require(p, access.ReadCatalog, ""); err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(p.User.Grants, func(g runway.RoleGrant) bool { return g.Role != runway.RoleDeveloper }) {
		f.User = p.Actor()
	}
	return s.Grants.FindGrants(ctx, f)
}

// Expire ends every active grant whose time ran out; a periodic job runs
// it. Access already stops at the expiry without it.
func (s *Service) Expire(ctx context.Context) error {
	ctx = runway.WithActor(ctx, "runway")
	ids, err := s.Grants.DueGrants(ctx, s.now())
	if err != nil {
		return err
	}
	for _, id := range ids {
		_, err := s.Grants.ChangeGrant(ctx, id, func(tx *runway.GrantTx) error {
			g := tx.Grant
			if g.State != runway.GrantActive || g.ExpiresAt == nil || tx.Now.Before(*g.ExpiresAt) {
				return nil
			}
			g.State = runway.GrantExpired
			tx.Events = append(tx.Events, runway.Event{Action: "access.expire", Data: map[string]any{"user": g.User, "role": g.Role, "team": g.Team}})
			outcome(tx, "runway", "It ended at its expiry.")
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func onTeam(team string) string {
	if team == "" {
		return ""
	}
	return " on team " + team
}
