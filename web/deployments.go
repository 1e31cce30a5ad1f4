package web

import (
	"net/http"
	"strconv"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/access"
)

// Log lines a request may ask for: a default, and a cap.
const (
	defaultLogLines = 200
	maxLogLines     = 10000
)

func (s *Server) registerDeployments() {
	s.route("GET /api/v1/deployments/{id}", access.ReadCandidates, s.getDeployment)
	s.route("POST /api/v1/deployments/{id}/rollback", access.Promote, s.rollBack)
	s.route("GET /api/v1/deployments/{id}/runbook", access.ReadCandidates, s.getRunbook)
	s.route("GET /api/v1/apps/{app}/logs", access.ReadCandidates, s.appLogs)
}

// deploymentID reads the {id} of the path.
func deploymentID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, runway.Errorf(runway.EINVALID, "a deployment id is a number, got %q: `runway status APP` lists them", r.PathValue("id"))
	}
	return id, nil
}

// noRuntime answers the deployment routes of a server that runs no
// deployments.
var noRuntime = runway.Errorf(runway.EUNAVAILABLE, "this server runs no deployments")

func (s *Server) getDeployment(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	if s.opt.Deployer == nil {
		return noRuntime
	}
	id, err := deploymentID(r)
	if err != nil {
		return err
	}
	v, err := s.opt.Deployer.View(r.Context(), p, id)
	if err != nil {
		return err
	}
	if s.opt.Traffic != nil {
		v.Traffic = s.opt.Traffic(v.Deployment.App, v.Deployment.Environment)
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) rollBack(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	if s.opt.Deployer == nil {
		return noRuntime
	}
	id, err := deploymentID(r)
	if err != nil {
		return err
	}
	var req struct {
		Reason string `json:"reason"`
	}
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	d, err := s.opt.Deployer.Rollback(r.Context(), p, id, req.Reason)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

func (s *Server) getRunbook(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	if s.opt.Runbooks == nil {
		return noRuntime
	}
	id, err := deploymentID(r)
	if err != nil {
		return err
	}
	md, err := s.opt.Runbooks.Runbook(r.Context(), p, id)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/markdown; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Write([]byte(md))
	return nil
}

// logs is the answer of the log route.
type logs struct {
	App         string             `json:"app"`
	Environment runway.Environment `json:"environment"`
	Version     string             `json:"version"`
	Deployment  int64              `json:"deployment"`
	State       string             `json:"state"`
	Lines       int                `json:"lines"`
	Log         string             `json:"log"`
}

func (s *Server) appLogs(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	if s.opt.Deployer == nil || s.opt.Logs == nil {
		return noRuntime
	}
	q := r.URL.Query()
	env := runway.Environment(q.Get("environment"))
	if env == "" {
		env = runway.EnvProduction
	}
	lines := defaultLogLines
	if v := q.Get("lines"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxLogLines {
			return runway.Errorf(runway.EINVALID, "lines must be a number from 1 to %d, got %q", maxLogLines, v)
		}
		lines = n
	}
	d, err := s.opt.Deployer.LogsOf(r.Context(), p, r.PathValue("app"), env, q.Get("version"))
	if err != nil {
		return err
	}
	text, err := s.opt.Logs(r.Context(), d.App, d.Environment, d.Version(), lines)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, logs{App: d.App, Environment: d.Environment, Version: d.Version(), Deployment: d.ID, State: d.State, Lines: lines, Log: text})
	return nil
}
