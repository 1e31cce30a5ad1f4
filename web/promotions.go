package web

import (
	"net/http"
	"strconv"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/access"
	"github.com/runwayhq/runway/release"
)

func (s *Server) registerPromotions() {
	s.route("POST /api/v1/apps/{app}/promotions", access.Promote, s.promote)
	s.route("GET /api/v1/apps/{app}/deployments", access.ReadCandidates, s.listDeployments)
	s.route("GET /api/v1/promotions", access.ReadCatalog, s.listPromotions)
	s.route("GET /api/v1/promotions/inbox", access.ReadCatalog, s.inbox)
	s.route("GET /api/v1/promotions/{id}", access.ReadCandidates, s.getPromotion)
	s.route("POST /api/v1/promotions/{id}/approve", access.Approve, s.answer(runway.Approve))
	s.route("POST /api/v1/promotions/{id}/reject", access.Approve, s.answer(runway.Reject))
	s.route("POST /api/v1/promotions/{id}/cancel", access.Promote, s.cancelPromotion)
	s.route("GET /api/v1/metrics/approvals", access.ReadCatalog, s.approvalMetrics)
}

func (s *Server) promote(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	var req release.PromoteRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	req.App = r.PathValue("app")
	pr, err := s.opt.Promoter.Promote(r.Context(), p, req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, pr)
	return nil
}

func (s *Server) listDeployments(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	app, err := s.appFor(r, p, access.ReadCandidates)
	if err != nil {
		return err
	}
	pg, err := page(r)
	if err != nil {
		return err
	}
	ds, err := s.opt.Store.FindDeployments(r.Context(), app.Name, pg)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(ds, pg.Limit, func(d *runway.Deployment) int64 { return d.ID }))
	return nil
}

func (s *Server) listPromotions(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	pg, err := page(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := runway.PromotionFilter{App: q.Get("app"), Environment: runway.Environment(q.Get("environment")), Page: pg}
	for _, st := range q["state"] {
		f.States = append(f.States, runway.PromotionState(st))
	}
	ps, err := s.opt.Promoter.List(r.Context(), p, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(ps, pg.Limit, func(p *runway.Promotion) int64 { return p.ID }))
	return nil
}

func (s *Server) inbox(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	ps, err := s.opt.Promoter.Inbox(r.Context(), p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list[*runway.Promotion]{Items: nonNil(ps)})
	return nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func promotionID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, runway.Errorf(runway.EINVALID, "a promotion request id is a number, got %q", r.PathValue("id"))
	}
	return id, nil
}

func (s *Server) getPromotion(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	id, err := promotionID(r)
	if err != nil {
		return err
	}
	rv, err := s.opt.Promoter.Review(r.Context(), p, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rv)
	return nil
}

func (s *Server) answer(v runway.Verdict) handler {
	return func(w http.ResponseWriter, r *http.Request, p access.Principal) error {
		id, err := promotionID(r)
		if err != nil {
			return err
		}
		var ans release.Answer
		if err := s.decode(w, r, &ans); err != nil {
			return err
		}
		ans.Verdict, ans.Via = v, via(r)
		pr, err := s.opt.Promoter.Answer(r.Context(), p, id, ans)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, pr)
		return nil
	}
}

// via names where an answer came from: the CLI says so in a header.
func via(r *http.Request) string {
	if v := r.Header.Get("X-Runway-Client"); v == "cli" {
		return "cli"
	}
	return "api"
}

func (s *Server) cancelPromotion(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	id, err := promotionID(r)
	if err != nil {
		return err
	}
	var req struct {
		Reason string `json:"reason"`
	}
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	pr, err := s.opt.Promoter.Cancel(r.Context(), p, id, req.Reason)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pr)
	return nil
}

func (s *Server) approvalMetrics(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	m, err := s.opt.Promoter.Friction(r.Context(), p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, m)
	return nil
}
