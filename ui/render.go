package ui

import (
	"bytes"
	"embed"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/access"
	"github.com/runwayhq/runway/session"
)

//go:embed templates
var templateFiles embed.FS

// pageNames are the pages, each a template file that defines "content"
// (and, for the app list, "results") inside the shared layout.
var pageNames = []string{"sign-in", "apps", "app", "audit", "approvals", "approval", "deployment", "flags", "flag", "secrets", "error"}

// pages holds one template set per page.
type pages struct {
	sets map[string]*template.Template
}

// parsePages parses the layout once and each page on a clone of it. now
// gives the time relative dates are computed against.
func parsePages(now func() time.Time) (*pages, error) {
	base, err := template.New("").Funcs(funcs(now)).ParseFS(templateFiles, "templates/layout.html")
	if err != nil {
		return nil, err
	}
	p := &pages{sets: map[string]*template.Template{}}
	for _, name := range pageNames {
		set, err := base.Clone()
		if err == nil {
			set, err = set.ParseFS(templateFiles, "templates/"+name+".html")
		}
		if err != nil {
			return nil, err
		}
		p.sets[name] = set
	}
	return p, nil
}

// funcs are the template functions: words for the values people read.
func funcs(now func() time.Time) template.FuncMap {
	return template.FuncMap{
		"ago":      func(t time.Time) string { return ago(now(), t) },
		"when":     func(t time.Time) string { return t.UTC().Format("2 Jan 2006, 15:04 UTC") },
		"iso":      func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"tier":     tierWords,
		"decision": decisionWords,
		"outcome":  decisionClass,
		"severity": severityWords,
		"status":   statusWords,
		"where":    where,
		"findings": findingCounts,
		"details":  details,
		"person":   person,
		"action":   actionWords,
		"join":     strings.Join,
		"due":      func(t time.Time) string { return due(now(), t) },
		"state":    stateWords,
		"stateCls": stateClass,
		"role":     roleWords,
		"verdict":  verdictWords,
		"deployed": deploymentWords,
		"depCls":   deploymentClass,
	}
}

// view is what every page template gets: who is signed in, what the
// layout needs, and the page's own data.
type view struct {
	Title    string
	User     *runway.User
	CSRF     string
	Nav      string // the current section: "apps", "approvals" or "audit"
	CanAudit bool
	// Approvals shows the approvals section; Inbox counts the requests
	// waiting for the person.
	Approvals bool
	Inbox     int
	Data      any

	principal access.Principal
	inbox     []*runway.Promotion
}

func newView(p access.Principal, s *session.Session) *view {
	return &view{User: p.User, CSRF: s.CSRF, CanAudit: access.Allowed(p, access.ReadAudit, ""), principal: p}
}

// render writes a whole page.
func (u *UI) render(w http.ResponseWriter, r *http.Request, status int, page string, v *view) {
	u.execute(w, r, status, page, "layout", v)
}

// renderFragment writes one block of a page, for htmx to swap in.
func (u *UI) renderFragment(w http.ResponseWriter, r *http.Request, page, block string, v *view) {
	u.execute(w, r, http.StatusOK, page, block, v)
}

// execute renders into a buffer first, so that a template error never
// sends half a page.
func (u *UI) execute(w http.ResponseWriter, r *http.Request, status int, page, block string, v *view) {
	var buf bytes.Buffer
	if err := u.pages.sets[page].ExecuteTemplate(&buf, block, v); err != nil {
		u.opt.Logger.ErrorContext(r.Context(), "render page", "page", page, "error", err.Error())
		http.Error(w, "Internal error: this page could not be shown.", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Vary", "HX-Request")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// fragment reports whether htmx asks for a part of a page. A history
// restore asks for the whole page.
func fragment(r *http.Request) bool {
	return r.Header.Get("HX-Request") == "true" && r.Header.Get("HX-History-Restore-Request") != "true"
}

// link returns path with the non-empty values as its query.
func link(path string, values ...string) string {
	q := url.Values{}
	for i := 0; i+1 < len(values); i += 2 {
		if values[i+1] != "" {
			q.Set(values[i], values[i+1])
		}
	}
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

// errorPage is the error page's data.
type errorPage struct {
	Status  int
	Message string
}

// errorTitle names an HTTP status for people.
func errorTitle(status int) string {
	switch status {
	case http.StatusBadRequest:
		return "Something in the request is not right"
	case http.StatusUnauthorized:
		return "Please sign in"
	case http.StatusForbidden:
		return "You do not have access to this"
	case http.StatusNotFound:
		return "Not found"
	case http.StatusConflict:
		return "That clashes with a recent change"
	case http.StatusRequestEntityTooLarge:
		return "Too large"
	case http.StatusServiceUnavailable:
		return "Runway is busy or a service it needs is down"
	}
	if status >= 500 {
		return "Something went wrong on our side"
	}
	return "That did not work"
}
