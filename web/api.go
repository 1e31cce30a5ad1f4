package web

import (
	"net/http"
	"strconv"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/access"
)

// handler serves one API route for a principal that may do the route's
// action in general; team-specific checks happen inside, once the team is
// known.
type handler func(w http.ResponseWriter, r *http.Request, p access.Principal) error

// route registers an API route. Before the handler runs, the principal
// must be signed in and, for an action that is not about one team, allowed
// it; for a per-team action the handler asks access once it knows the team.
func (s *Server) route(pattern string, action access.Action, h handler) {
	s.routes = append(s.routes, pattern)
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		p, err := s.principal(r)
		if err == nil && (p.User == nil || !action.PerTeam()) {
			err = access.Require(p, action, "")
		}
		if err == nil {
			err = h(w, r, p)
		}
		if err != nil {
			s.writeError(w, r, err)
		}
	})
}

func (s *Server) registerAPI() {
	s.mux.HandleFunc("GET /api/v1/openapi.json", s.openAPI)
	s.route("GET /api/v1/me", access.ReadCatalog, s.me)
	s.route("GET /api/v1/teams", access.ReadCatalog, s.listTeams)
	s.route("POST /api/v1/teams", access.CreateTeam, s.createTeam)
	s.route("GET /api/v1/apps", access.ReadCatalog, s.listApps)
	s.route("GET /api/v1/apps/{app}", access.ReadCatalog, s.getApp)
	s.route("GET /api/v1/apps/{app}/candidates", access.ReadCandidates, s.listAppCandidates)
	s.route("GET /api/v1/apps/{app}/candidates/{number}", access.ReadCandidates, s.getCandidate)
	s.route("GET /api/v1/apps/{app}/candidates/{number}/sbom", access.ReadCandidates, s.getSBOM)
	s.route("GET /api/v1/candidates", access.ReadCandidates, s.listCandidates)
	s.route("POST /api/v1/candidates", access.Submit, s.submit)
	s.route("POST /api/v1/users", access.CreateUser, s.createUser)
	s.route("POST /api/v1/tokens", access.ManageTokens, s.createToken)
	s.route("DELETE /api/v1/tokens/{id}", access.ManageTokens, s.revokeToken)
	s.route("GET /api/v1/audit", access.ReadAudit, s.listAudit)
	s.route("GET /api/v1/audit/head", access.ReadAudit, s.auditHead)
	s.registerPromotions()
	s.registerDeployments()
	s.registerAccess()
	s.registerFlags()
	s.registerSecrets()
}

// list is the shape of every list response: the items and, when there
// may be more, the cursor to pass as `after` for the next page.
type list[T any] struct {
	Items []T    `json:"items"`
	Next  *int64 `json:"next"`
}

func newList[T any](items []T, limit int, cursor func(T) int64) list[T] {
	l := list[T]{Items: items}
	if l.Items == nil {
		l.Items = []T{}
	}
	if len(items) > 0 && len(items) == limit {
		next := cursor(items[len(items)-1])
		l.Next = &next
	}
	return l
}

// page reads `after` and `limit` from the query string.
func page(r *http.Request) (runway.Page, error) {
	var p runway.Page
	q := r.URL.Query()
	if v := q.Get("after"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return p, runway.Errorf(runway.EINVALID, "after must be the `next` value of the previous page, got %q", v)
		}
		p.After = n
	}
	p.Limit = 50
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return p, runway.Errorf(runway.EINVALID, "limit must be a number from 1 to 1000, got %q", v)
		}
		p.Limit = n
	}
	return p, nil
}
