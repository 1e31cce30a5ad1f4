package web

import (
	"io"
	"net/http"
	"slices"
	"strconv"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/access"
	"github.com/runwayhq/runway/flags"
)

// Feature flags: flags.Service decides who may change what (team members
// outside production, team leads and admins in production, the kill switch
// for whoever answers for the team's releases), so these routes name the
// per-team action the service builds on and let it refuse.
func (s *Server) registerFlags() {
	const flag = "/api/v1/apps/{app}/flags/{env}/{key}"
	s.route("GET /api/v1/apps/{app}/flags", access.ReadCatalog, s.listFlags)
	s.route("POST /api/v1/apps/{app}/flags", access.Submit, s.createFlag)
	s.route("GET "+flag, access.ReadCatalog, s.getFlag)
	s.route("PUT "+flag, access.Submit, s.updateFlag)
	s.route("POST "+flag+"/on", access.Submit, s.switchFlag(true))
	s.route("POST "+flag+"/off", access.Submit, s.switchFlag(false))
	s.route("POST "+flag+"/kill", access.Approve, s.killFlag)
	s.route("GET "+flag+"/history", access.ReadCatalog, s.flagHistory)
	s.route("POST "+flag+"/evaluate", access.ReadCatalog, s.evaluateFlag)
	s.route("GET /api/v1/apps/{app}/flag-groups", access.ReadCatalog, s.listFlagGroups)
	s.route("GET /api/v1/apps/{app}/flag-groups/{name}", access.ReadCatalog, s.getFlagGroup)
	s.route("PUT /api/v1/apps/{app}/flag-groups/{name}", access.Submit, s.saveFlagGroup)
	s.route("GET /api/v1/apps/{app}/flag-keys", access.ReadCandidates, s.listFlagKeys)
	s.route("POST /api/v1/apps/{app}/flag-keys", access.Submit, s.createFlagKey)
	s.route("DELETE /api/v1/apps/{app}/flag-keys/{id}", access.Submit, s.revokeFlagKey)
}

// flagService returns the flag service, or why there is none.
func (s *Server) flagService() (*flags.Service, error) {
	if s.opt.Flags == nil {
		return nil, runway.Errorf(runway.EUNAVAILABLE, "feature flags are not available on this server")
	}
	return s.opt.Flags, nil
}

// flagPath is the app, environment and key of a flag's path.
func flagPath(r *http.Request) (string, runway.Environment, string) {
	return r.PathValue("app"), runway.Environment(r.PathValue("env")), r.PathValue("key")
}

func (s *Server) listFlags(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	svc, err := s.flagService()
	if err != nil {
		return err
	}
	fs, err := svc.List(r.Context(), p, r.PathValue("app"), runway.Environment(r.URL.Query().Get("environment")))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list[*runway.Flag]{Items: nonNil(fs)})
	return nil
}

// decodeSpec reads a flag definition: the same JSON `runway flags create
// -f FILE` sends, at most flags.MaxSpecBytes.
func (s *Server) decodeSpec(w http.ResponseWriter, r *http.Request) (flags.Spec, error) {
	var spec flags.Spec
	r.Body = http.MaxBytesReader(w, r.Body, flags.MaxSpecBytes)
	return spec, s.decode(w, r, &spec)
}

func (s *Server) createFlag(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	svc, err := s.flagService()
	if err != nil {
		return err
	}
	spec, err := s.decodeSpec(w, r)
	if err != nil {
		return err
	}
	var envs []runway.Environment
	for _, e := range r.URL.Query()["environment"] {
		if !slices.Contains(envs, runway.Environment(e)) {
			envs = append(envs, runway.Environment(e))
		}
	}
	fs, err := svc.Create(r.Context(), p, r.PathValue("app"), envs, spec)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, list[*runway.Flag]{Items: nonNil(fs)})
	return nil
}

func (s *Server) getFlag(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	svc, err := s.flagService()
	if err != nil {
		return err
	}
	app, env, key := flagPath(r)
	f, err := svc.Get(r.Context(), p, app, env, key)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, f)
	return nil
}

func (s *Server) updateFlag(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	svc, err := s.flagService()
	if err != nil {
		return err
	}
	v := r.URL.Query().Get("version")
	version, err := strconv.ParseInt(v, 10, 64)
	if err != nil || version < 1 {
		return runway.Errorf(runway.EINVALID, "say which version of the flag you edited (?version=N; `runway flags get` shows it), so that nobody's change is overwritten unseen; got %q", v)
	}
	spec, err := s.decodeSpec(w, r)
	if err != nil {
		return err
	}
	app, env, key := flagPath(r)
	f, err := svc.Update(r.Context(), p, app, env, key, version, spec)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, f)
	return nil
}

func (s *Server) switchFlag(on bool) handler {
	return func(w http.ResponseWriter, r *http.Request, p access.Principal) error {
		svc, err := s.flagService()
		if err != nil {
			return err
		}
		app, env, key := flagPath(r)
		f, err := svc.SetEnabled(r.Context(), p, app, env, key, on)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, f)
		return nil
	}
}

func (s *Server) killFlag(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	svc, err := s.flagService()
	if err != nil {
		return err
	}
	var req struct {
		Reason string `json:"reason"`
	}
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	app, env, key := flagPath(r)
	f, err := svc.Kill(r.Context(), p, app, env, key, req.Reason)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, f)
	return nil
}

func (s *Server) flagHistory(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	svc, err := s.flagService()
	if err != nil {
		return err
	}
	pg, err := page(r)
	if err != nil {
		return err
	}
	app, env, key := flagPath(r)
	entries, err := svc.History(r.Context(), p, app, env, key, pg)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(entries, pg.Limit, func(e *runway.AuditEntry) int64 { return e.Seq }))
	return nil
}

// evaluateFlag answers "what does this context get?" as the OFREP
// endpoint would: the body is an OFREP request, {"context": {...}}, and
// an evaluation failure (FLAG_NOT_FOUND, TARGETING_KEY_MISSING) is data
// in the answer, not an HTTP error.
func (s *Server) evaluateFlag(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	svc, err := s.flagService()
	if err != nil {
		return err
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, flags.DefaultMaxBody))
	if err != nil {
		return err
	}
	c, perr := flags.ParseRequest(body)
	if perr != nil {
		return runway.Errorf(runway.EINVALID, "%s: %s", perr.Code, perr.Details)
	}
	app, env, key := flagPath(r)
	e, err := svc.Evaluate(r.Context(), p, app, env, key, c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, e)
	return nil
}

func (s *Server) listFlagGroups(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	svc, err := s.flagService()
	if err != nil {
		return err
	}
	gs, err := svc.Groups(r.Context(), p, r.PathValue("app"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list[*runway.FlagGroup]{Items: nonNil(gs)})
	return nil
}

func (s *Server) getFlagGroup(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	svc, err := s.flagService()
	if err != nil {
		return err
	}
	app, name := r.PathValue("app"), r.PathValue("name")
	gs, err := svc.Groups(r.Context(), p, app)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(gs, func(g *runway.FlagGroup) bool { return g.Name == name })
	if i < 0 {
		return runway.Errorf(runway.ENOTFOUND, "app %s has no flag group %q", app, name)
	}
	writeJSON(w, http.StatusOK, gs[i])
	return nil
}

func (s *Server) saveFlagGroup(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	svc, err := s.flagService()
	if err != nil {
		return err
	}
	g := runway.FlagGroup{App: r.PathValue("app"), Name: r.PathValue("name")}
	r.Body = http.MaxBytesReader(w, r.Body, flags.MaxSpecBytes)
	if err := s.decode(w, r, &struct {
		Description *string                 `json:"description"`
		Keys        *[]string               `json:"keys"`
		Conditions  *[]runway.FlagCondition `json:"conditions"`
	}{&g.Description, &g.Keys, &g.Conditions}); err != nil {
		return err
	}
	saved, err := svc.SaveGroup(r.Context(), p, g)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, saved)
	return nil
}

func (s *Server) listFlagKeys(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	svc, err := s.flagService()
	if err != nil {
		return err
	}
	ks, err := svc.ListKeys(r.Context(), p, r.PathValue("app"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list[*runway.FlagKey]{Items: nonNil(ks)})
	return nil
}

func (s *Server) createFlagKey(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	svc, err := s.flagService()
	if err != nil {
		return err
	}
	var req struct {
		Environment runway.Environment `json:"environment"`
		Name        string             `json:"name"`
	}
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	k, secret, err := svc.CreateKey(r.Context(), p, r.PathValue("app"), req.Environment, req.Name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, struct {
		*runway.FlagKey
		Secret string `json:"secret"`
		Notice string `json:"notice"`
	}{k, secret, "This is the only time the flag key is shown. Give it to the app as a secret (runway secrets set), never in its repository."})
	return nil
}

func (s *Server) revokeFlagKey(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	svc, err := s.flagService()
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return runway.Errorf(runway.EINVALID, "a flag key id is a number, got %q", r.PathValue("id"))
	}
	if err := svc.RevokeKey(r.Context(), p, r.PathValue("app"), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
