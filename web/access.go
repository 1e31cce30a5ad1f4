package web

import (
	"net/http"
	"strconv"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/access"
	"github.com/runwayhq/runway/elevate"
)

func (s *Server) registerAccess() {
	s.route("POST /api/v1/access", access.RequestAccess, s.requestAccess)
	s.route("GET /api/v1/access", access.ReadCatalog, s.listAccess)
	s.route("POST /api/v1/access/{id}/approve", access.ReadCatalog, s.decideAccess("approve"))
	s.route("POST /api/v1/access/{id}/reject", access.ReadCatalog, s.decideAccess("reject"))
	s.route("POST /api/v1/access/{id}/revoke", access.ReadCatalog, s.decideAccess("revoke"))
}

func (s *Server) requestAccess(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	var req elevate.Request
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	g, err := s.opt.Access.Request(r.Context(), p, req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, g)
	return nil
}

func (s *Server) listAccess(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	pg, err := page(r)
	if err != nil {
		return err
	}
	f := runway.GrantFilter{User: r.URL.Query().Get("user"), Page: pg}
	for _, st := range r.URL.Query()["state"] {
		f.States = append(f.States, runway.GrantState(st))
	}
	gs, err := s.opt.Access.List(r.Context(), p, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(gs, pg.Limit, func(g *runway.AccessGrant) int64 { return g.ID }))
	return nil
}

func (s *Server) decideAccess(what string) handler {
	return func(w http.ResponseWriter, r *http.Request, p access.Principal) error {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil || id <= 0 {
			return runway.Errorf(runway.EINVALID, "an access request id is a number, got %q", r.PathValue("id"))
		}
		var req struct {
			Reason string `json:"reason"`
		}
		if err := s.decode(w, r, &req); err != nil {
			return err
		}
		var g *runway.AccessGrant
		switch what {
		case "revoke":
			g, err = s.opt.Access.Revoke(r.Context(), p, id, req.Reason)
		default:
			g, err = s.opt.Access.Decide(r.Context(), p, id, what == "approve", req.Reason)
		}
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, g)
		return nil
	}
}
