package web

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/access"
	"github.com/runwayhq/runway/release"
)

func (s *Server) me(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	writeJSON(w, http.StatusOK, map[string]any{"user": p.User, "scopes": p.Scopes})
	return nil
}

func (s *Server) listTeams(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	pg, err := page(r)
	if err != nil {
		return err
	}
	teams, err := s.opt.Store.FindTeams(r.Context(), pg)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(teams, pg.Limit, func(t *runway.Team) int64 { return t.ID }))
	return nil
}

func (s *Server) createTeam(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	var t runway.Team
	if err := s.decode(w, r, &struct {
		Name        *string `json:"name"`
		DisplayName *string `json:"display_name"`
	}{&t.Name, &t.DisplayName}); err != nil {
		return err
	}
	if err := s.opt.Store.CreateTeam(runway.WithActor(r.Context(), p.Actor()), &t); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, t)
	return nil
}

func (s *Server) listApps(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	pg, err := page(r)
	if err != nil {
		return err
	}
	f := runway.AppFilter{Team: r.URL.Query().Get("team"), Search: r.URL.Query().Get("q"), Page: pg}
	if v := r.URL.Query().Get("tier"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 3 {
			return runway.Errorf(runway.EINVALID, "tier must be 1, 2 or 3, got %q", v)
		}
		f.Tier = runway.Tier(n)
	}
	apps, err := s.opt.Store.FindApps(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(apps, pg.Limit, func(a *runway.App) int64 { return a.ID }))
	return nil
}

func (s *Server) getApp(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	a, err := s.opt.Store.FindApp(r.Context(), r.PathValue("app"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

// appFor loads the app of the path and checks that p may do a to its
// team's things.
func (s *Server) appFor(r *http.Request, p access.Principal, a access.Action) (*runway.App, error) {
	app, err := s.opt.Store.FindApp(r.Context(), r.PathValue("app"))
	if err != nil {
		return nil, err
	}
	return app, access.Require(p, a, app.Team)
}

func (s *Server) listAppCandidates(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	app, err := s.appFor(r, p, access.ReadCandidates)
	if err != nil {
		return err
	}
	return s.writeCandidates(w, r, runway.CandidateFilter{App: app.Name})
}

func (s *Server) listCandidates(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	if err := access.Require(p, access.ReadCandidates, ""); err != nil {
		return err
	}
	return s.writeCandidates(w, r, runway.CandidateFilter{})
}

func (s *Server) writeCandidates(w http.ResponseWriter, r *http.Request, f runway.CandidateFilter) error {
	pg, err := page(r)
	if err != nil {
		return err
	}
	f.Page = pg
	if d := runway.Decision(r.URL.Query().Get("decision")); d != "" {
		if d != runway.DecisionPass && d != runway.DecisionNeedsApproval && d != runway.DecisionBlocked {
			return runway.Errorf(runway.EINVALID, "decision must be pass, needs_approval or blocked, got %q", d)
		}
		f.Decision = d
	}
	cs, err := s.opt.Store.FindCandidates(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(cs, pg.Limit, func(c *runway.Candidate) int64 { return c.ID }))
	return nil
}

// candidateNumber reads the {number} of the path.
func candidateNumber(r *http.Request) (int, error) {
	n, err := strconv.Atoi(r.PathValue("number"))
	if err != nil || n < 1 {
		return 0, runway.Errorf(runway.EINVALID, "a candidate number is 1, 2, 3..., got %q", r.PathValue("number"))
	}
	return n, nil
}

// sbomTypes are the media types of the SBOM formats.
var sbomTypes = map[string]string{runway.SBOMCycloneDX: "application/vnd.cyclonedx+json", runway.SBOMSPDX: "application/spdx+json"}

func (s *Server) getSBOM(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	app, err := s.appFor(r, p, access.ReadCandidates)
	if err != nil {
		return err
	}
	n, err := candidateNumber(r)
	if err != nil {
		return err
	}
	format := r.URL.Query().Get("format")
	if format == "" {
		format = runway.SBOMCycloneDX
	}
	doc, err := s.opt.Store.FindSBOM(r.Context(), app.Name, n, format)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", sbomTypes[format])
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", fmt.Sprintf("%s-%d.%s.json", app.Name, n, format)))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Write(doc)
	return nil
}

func (s *Server) getCandidate(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	app, err := s.appFor(r, p, access.ReadCandidates)
	if err != nil {
		return err
	}
	n, err := candidateNumber(r)
	if err != nil {
		return err
	}
	c, err := s.opt.Store.FindCandidate(r.Context(), app.Name, n)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) submit(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	var sub release.Submission
	if err := s.decode(w, r, &sub); err != nil {
		return err
	}
	c, err := s.opt.Release.Submit(r.Context(), p, sub)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, c)
	return nil
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	var u runway.User
	if err := s.decode(w, r, &struct {
		Email  *string             `json:"email"`
		Name   *string             `json:"name"`
		Grants *[]runway.RoleGrant `json:"grants"`
	}{&u.Email, &u.Name, &u.Grants}); err != nil {
		return err
	}
	if err := s.opt.Store.CreateUser(runway.WithActor(r.Context(), p.Actor()), &u); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, u)
	return nil
}

// Token lifetimes: a default, and a cap so that no token lives forever.
const (
	defaultTokenDays = 90
	maxTokenDays     = 365
)

func (s *Server) createToken(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	var req struct {
		Name    string   `json:"name"`
		Scopes  []string `json:"scopes"`
		Expires int      `json:"expires_in_days"`
	}
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	if req.Expires == 0 {
		req.Expires = defaultTokenDays
	}
	if req.Expires < 1 || req.Expires > maxTokenDays {
		return runway.Errorf(runway.EINVALID, "expires_in_days must be from 1 to %d", maxTokenDays)
	}
	for _, sc := range req.Scopes {
		if !access.ValidScope(sc) {
			return runway.Errorf(runway.EINVALID, "unknown scope %q: scopes are %v", sc, access.Scopes)
		}
		if len(p.Scopes) > 0 && !access.HasScope(p.Scopes, sc) {
			return runway.Errorf(runway.EFORBIDDEN, "a token limited to %v cannot make a token with the %q scope", p.Scopes, sc)
		}
	}
	if len(req.Scopes) == 0 {
		req.Scopes = p.Scopes // a token never gets more than the one that made it
	}
	secret := runway.NewTokenSecret()
	t := &runway.Token{UserID: p.User.ID, Name: req.Name, Scopes: req.Scopes, ExpiresAt: s.opt.Now().Add(time.Duration(req.Expires) * 24 * time.Hour)}
	if err := s.opt.Store.CreateToken(runway.WithActor(r.Context(), p.Actor()), t, secret); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, struct {
		*runway.Token
		Secret string `json:"secret"`
		Notice string `json:"notice"`
	}{t, secret, "This is the only time the token is shown. Store it in a password manager or your CI's secret store."})
	return nil
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return runway.Errorf(runway.EINVALID, "a token id is a number, got %q", r.PathValue("id"))
	}
	if err := s.opt.Store.RevokeToken(runway.WithActor(r.Context(), p.Actor()), p.User.ID, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) listAudit(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	pg, err := page(r)
	if err != nil {
		return err
	}
	entries, err := s.opt.Store.AuditEntries(r.Context(), runway.AuditFilter{Subject: r.URL.Query().Get("subject"), Page: pg})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(entries, pg.Limit, func(e *runway.AuditEntry) int64 { return e.Seq }))
	return nil
}

func (s *Server) auditHead(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	h, err := s.opt.Store.AuditHead(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, h)
	return nil
}
