package ui

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/access"
)

// pageSize is how many rows a list shows at a time.
const pageSize = 20

// appsPage is the app list's data.
type appsPage struct {
	Query string
	Tier  string // "", "1", "2" or "3"
	Team  string
	Tiers []option
	Teams []option
	Rows  []appRow
	// Next is the link to the next page, "" on the last; First links back
	// to the first page from any other.
	Next, First string
}

// option is one choice of a filter.
type option struct {
	Value, Label string
}

// appRow is one app in the list.
type appRow struct {
	Name, Owner, Tier string
	// Checks says whether the person may see the app's checks; Checked
	// whether there is one to see.
	Checks, Checked bool
	Decision        runway.Decision
	CheckedAt       time.Time
	// Deployed is the app's newest deployment (nil when none, or when
	// the person may not see it); DeploysHidden says it is not for them.
	Deployed      *runway.Deployment
	DeploysHidden bool
}

func (u *UI) apps(w http.ResponseWriter, r *http.Request, v *view) error {
	q := r.URL.Query()
	d := appsPage{Query: strings.TrimSpace(q.Get("q")), Tier: q.Get("tier"), Team: q.Get("team")}
	if len(d.Query) > 100 {
		return runway.Errorf(runway.EINVALID, "the search is too long: app names have at most 63 characters")
	}
	f := runway.AppFilter{Team: d.Team, Search: d.Query, Page: runway.Page{Limit: pageSize + 1}}
	if d.Tier != "" {
		n, err := strconv.Atoi(d.Tier)
		if err != nil || n < 1 || n > 3 {
			return runway.Errorf(runway.EINVALID, "the tier filter must be 1, 2 or 3")
		}
		f.Tier = runway.Tier(n)
	}
	after, err := cursor(q.Get("after"))
	if err != nil {
		return err
	}
	f.After = after
	teams, err := u.opt.Store.FindTeams(r.Context(), runway.Page{Limit: 1000})
	if err != nil {
		return err
	}
	apps, err := u.opt.Store.FindApps(r.Context(), f)
	if err != nil {
		return err
	}
	if len(apps) > pageSize {
		apps = apps[:pageSize]
		d.Next = link("/apps", "q", d.Query, "tier", d.Tier, "team", d.Team, "after", strconv.FormatInt(apps[pageSize-1].ID, 10))
	}
	if after > 0 {
		d.First = link("/apps", "q", d.Query, "tier", d.Tier, "team", d.Team)
	}
	names := teamNames(teams)
	for _, a := range apps {
		row, err := u.appRow(r, v.principal, a, names)
		if err != nil {
			return err
		}
		d.Rows = append(d.Rows, row)
	}
	d.Tiers = []option{{"", "Any tier"}}
	for t := runway.Tier(1); t <= 3; t++ {
		d.Tiers = append(d.Tiers, option{strconv.Itoa(int(t)), tierWords(t)})
	}
	d.Teams = []option{{"", "Any team"}}
	for _, t := range teams {
		d.Teams = append(d.Teams, option{t.Name, names[t.Name]})
	}
	v.Title, v.Nav, v.Data = "Apps", "apps", d
	if fragment(r) {
		u.renderFragment(w, r, "apps", "results", v)
	} else {
		u.render(w, r, http.StatusOK, "apps", v)
	}
	return nil
}

// appRow fills one row; the last check only for people who may see the
// app's candidates.
func (u *UI) appRow(r *http.Request, p access.Principal, a *runway.App, names map[string]string) (appRow, error) {
	row := appRow{Name: a.Name, Owner: names[a.Team], Tier: tierWords(a.Tier)}
	if row.Owner == "" {
		row.Owner = a.Team
	}
	if !access.Allowed(p, access.ReadCandidates, a.Team) {
		row.DeploysHidden = u.opt.Deployer != nil
		return row, nil
	}
	row.Checks = true
	if u.opt.Deployer != nil {
		ds, err := u.opt.Deployer.Recent(r.Context(), p, a.Name, 1)
		if err != nil {
			return row, err
		}
		if len(ds) > 0 {
			row.Deployed = ds[0]
		}
	}
	cs, err := u.opt.Store.FindCandidates(r.Context(), runway.CandidateFilter{App: a.Name, Page: runway.Page{Limit: 1}})
	if err != nil || len(cs) == 0 {
		return row, err
	}
	row.Checked, row.Decision, row.CheckedAt = true, cs[0].Decision, cs[0].CreatedAt
	return row, nil
}

// teamNames maps each team's name to the name people know it by.
func teamNames(teams []*runway.Team) map[string]string {
	names := make(map[string]string, len(teams))
	for _, t := range teams {
		names[t.Name] = t.Name
		if t.DisplayName != "" {
			names[t.Name] = t.DisplayName
		}
	}
	return names
}

// cursor reads a list's "after" parameter.
func cursor(v string) (int64, error) {
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, runway.Errorf(runway.EINVALID, "this page link is damaged: go back to the first page")
	}
	return n, nil
}
