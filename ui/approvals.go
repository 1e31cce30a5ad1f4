package ui

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/release"
)

// recentRequests is how many requests the approvals page lists.
const recentRequests = 20

// approvalsPage is the approvals page's data: the requests the person could
// answer now, and the recent requests they may see.
type approvalsPage struct {
	Waiting []*runway.Promotion
	Recent  []*runway.Promotion
}

// requestPage is a promotion request's page data.
type requestPage struct {
	*release.Review
	Requirements []requirementRow
	// Reason is what the person typed, kept when their answer was refused;
	// Problem says why it was refused.
	Reason, Problem string
	// Answered is the person's own answer, shown after they gave it.
	Answered *runway.Approval
}

// requirementRow is one line of a request's checklist.
type requirementRow struct {
	runway.Requirement
	Label string
	// MetBy names who met it, "" while it waits.
	MetBy string
}

// countInbox loads the requests waiting for the person, for the count in
// the navigation.
func (u *UI) countInbox(r *http.Request, v *view) error {
	if u.opt.Promoter == nil {
		return nil
	}
	ps, err := u.opt.Promoter.Inbox(r.Context(), v.principal)
	if err != nil {
		return err
	}
	v.Approvals, v.Inbox, v.inbox = true, len(ps), ps
	return nil
}

func (u *UI) approvals(w http.ResponseWriter, r *http.Request, v *view) error {
	recent, err := u.opt.Promoter.List(r.Context(), v.principal, runway.PromotionFilter{Page: runway.Page{Limit: recentRequests}})
	if err != nil {
		return err
	}
	v.Title, v.Nav, v.Data = "Approvals", "approvals", approvalsPage{Waiting: v.inbox, Recent: recent}
	u.render(w, r, http.StatusOK, "approvals", v)
	return nil
}

func (u *UI) approval(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := promotionID(r)
	if err != nil {
		return err
	}
	return u.showRequest(w, r, v, id, http.StatusOK, "", "")
}

// showRequest renders a request's page; a refused answer is shown with its
// status, the reason the person typed and why it was refused.
func (u *UI) showRequest(w http.ResponseWriter, r *http.Request, v *view, id int64, status int, reason, problem string) error {
	rv, err := u.opt.Promoter.Review(r.Context(), v.principal, id)
	if err != nil {
		return err
	}
	d := &requestPage{Review: rv, Reason: reason, Problem: problem}
	for _, q := range rv.Requirements {
		row := requirementRow{Requirement: q, Label: requirementWords(q)}
		row.Why = release.Sentence(q.Why)
		for _, a := range rv.Approvals {
			if q.MetBy != 0 && a.ID == q.MetBy {
				row.MetBy = person(a.By)
			}
		}
		d.Requirements = append(d.Requirements, row)
	}
	if r.URL.Query().Get("answered") != "" {
		for i := range rv.Approvals {
			if a := &rv.Approvals[i]; a.By == v.principal.Actor() {
				d.Answered = a
			}
		}
	}
	v.Title, v.Nav, v.Data = fmt.Sprintf("%s #%d to %s", rv.App, rv.Candidate, rv.Environment), "approvals", d
	u.render(w, r, status, "approval", v)
	return nil
}

// answer records an approval or a rejection given on a request's page, and
// goes back to the page. A refused answer (no reason for a rejection, a
// request decided meanwhile, separation of duties) is shown on the page,
// with what the person typed.
func (u *UI) answer(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := promotionID(r)
	if err != nil {
		return err
	}
	ans := release.Answer{Verdict: runway.Verdict(r.PostFormValue("verdict")), Reason: r.PostFormValue("reason"), Via: "web"}
	if _, err := u.opt.Promoter.Answer(r.Context(), v.principal, id, ans); err != nil {
		status := runway.HTTPStatus(err)
		if status == 0 || status >= 500 {
			return err
		}
		return u.showRequest(w, r, v, id, status, ans.Reason, runway.ErrorMessage(err))
	}
	http.Redirect(w, r, fmt.Sprintf("/approvals/%d?answered=1", id), http.StatusSeeOther)
	return nil
}

// withdraw withdraws a request from its page, and goes back to it.
func (u *UI) withdraw(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := promotionID(r)
	if err != nil {
		return err
	}
	if _, err := u.opt.Promoter.Cancel(r.Context(), v.principal, id, r.PostFormValue("reason")); err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/approvals/%d", id), http.StatusSeeOther)
	return nil
}

// promote asks to promote an app's newest version, from the app's page,
// and goes to the new request's page. The break-glass box asks for an
// emergency release, which a second person must confirm.
func (u *UI) promote(w http.ResponseWriter, r *http.Request, v *view) error {
	req := release.PromoteRequest{App: r.PathValue("app"), Environment: runway.Environment(r.PostFormValue("environment")), Note: r.PostFormValue("note"),
		BreakGlass: r.PostFormValue("break_glass") == "yes"}
	pr, err := u.opt.Promoter.Promote(r.Context(), v.principal, req)
	if err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/approvals/%d", pr.ID), http.StatusSeeOther)
	return nil
}

// promotionID reads a request's id from the path.
func promotionID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, runway.Errorf(runway.ENOTFOUND, "there is no promotion request %q: check the link, or find the request on the approvals page", r.PathValue("id"))
	}
	return id, nil
}
