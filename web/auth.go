package web

import (
	"net/http"
	"strings"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/access"
)

// principal returns who sent the request: the user of the bearer token,
// or an anonymous principal when there is none. A token that is present
// but bad is an error, not anonymity.
func (s *Server) principal(r *http.Request) (access.Principal, error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return access.Principal{}, nil
	}
	scheme, secret, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return access.Principal{}, runway.Errorf(runway.EUNAUTHORIZED, "the Authorization header must be \"Bearer <token>\"")
	}
	u, t, err := s.opt.Store.Authenticate(r.Context(), strings.TrimSpace(secret))
	if err != nil {
		return access.Principal{}, err
	}
	return access.Principal{User: u, Scopes: t.Scopes}, nil
}
