package web

import (
	"mime"
	"net/http"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/access"
	"github.com/runwayhq/runway/secrets"
)

// App secrets are write-only here: a value goes in as the raw body of a
// PUT and never comes out of any route. Lists name the secrets, their
// environments, versions and authors.
func (s *Server) registerSecrets() {
	s.route("GET /api/v1/apps/{app}/secrets", access.ReadSecrets, s.listSecrets)
	s.route("PUT /api/v1/apps/{app}/secrets/{name}", access.ManageSecrets, s.setSecret)
	s.route("DELETE /api/v1/apps/{app}/secrets/{name}", access.ManageSecrets, s.deleteSecret)
}

// secretService returns the secrets service, or why there is none.
func (s *Server) secretService() (*secrets.Service, error) {
	if s.opt.Secrets == nil {
		return nil, runway.Errorf(runway.EUNAVAILABLE, "app secrets are not set up on this server: the platform team gives it a master key (secrets.master_key_file or RUNWAY_MASTER_KEY) or a Vault (secrets.backend: vault)")
	}
	return s.opt.Secrets, nil
}

// secretRef is the secret of the path, for the ?environment= of the query
// (none: every environment), once p may do a to the app's team's secrets.
func (s *Server) secretRef(r *http.Request, p access.Principal, a access.Action) (*secrets.Service, runway.SecretRef, error) {
	svc, err := s.secretService()
	if err != nil {
		return nil, runway.SecretRef{}, err
	}
	app, err := s.appFor(r, p, a)
	if err != nil {
		return nil, runway.SecretRef{}, err
	}
	ref := runway.SecretRef{App: app.Name, Env: runway.Environment(r.URL.Query().Get("environment")), Name: r.PathValue("name")}
	return svc, ref, ref.Validate()
}

func (s *Server) listSecrets(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	svc, err := s.secretService()
	if err != nil {
		return err
	}
	app, err := s.appFor(r, p, access.ReadSecrets)
	if err != nil {
		return err
	}
	infos, err := svc.List(r.Context(), app.Name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list[*runway.SecretInfo]{Items: nonNil(infos)})
	return nil
}

// setSecret stores the request body, as it is, as the secret's next
// version. A JSON body is refused: {"value": "..."} would be stored as the
// value, braces and all.
func (s *Server) setSecret(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	svc, ref, err := s.secretRef(r, p, access.ManageSecrets)
	if err != nil {
		return err
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "application/json" {
		return runway.Errorf(runway.EINVALID, "send the value itself as the request body (Content-Type: application/octet-stream or text/plain), not JSON")
	}
	// Set reads at most its size limit, and says when the value is larger.
	info, err := svc.Set(runway.WithActor(r.Context(), p.Actor()), ref, r.Body)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, info)
	return nil
}

func (s *Server) deleteSecret(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	svc, ref, err := s.secretRef(r, p, access.ManageSecrets)
	if err != nil {
		return err
	}
	if err := svc.Delete(runway.WithActor(r.Context(), p.Actor()), ref); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
