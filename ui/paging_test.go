package ui_test

import (
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/runwaytest"
)

var nextLink = regexp.MustCompile(`<a href="([^"]+)" rel="next">`)

// follow returns the page the "next" link of res leads to.
func follow(t *testing.T, p *platform, role string, res response) response {
	t.Helper()
	m := nextLink.FindStringSubmatch(res.body)
	if m == nil {
		t.Fatalf("no next link in:\n%s", res.body)
	}
	return p.get(t, role, html.UnescapeString(m[1]))
}

func TestAppsPaging(t *testing.T) {
	t.Parallel()
	p := newPlatform(t)
	for i := range 20 {
		a := &runway.App{Name: fmt.Sprintf("tool-%02d", i), Team: "data", Tier: 1,
			Manifest: runway.Manifest{Name: fmt.Sprintf("tool-%02d", i), Owner: "data", Audience: runway.AudiencePersonal}}
		must(t, p.store.CreateApp(runwaytest.Ctx, a))
	}
	first := p.get(t, "admin", "/apps?team=data")
	check(t, first, scenario{status: http.StatusOK, want: []string{"20 apps shown; more on the next page", "ledger", "tool-18"},
		not: []string{"tool-19", "First page"}})
	second := follow(t, p, "admin", first)
	check(t, second, scenario{status: http.StatusOK, want: []string{"1 app shown", "tool-19", `<a href="/apps?team=data">First page</a>`},
		not: []string{"tool-18", `rel="next"`}})
}

func TestHistoryPaging(t *testing.T) {
	t.Parallel()
	p := newPlatform(t)
	for range 21 {
		p.submit(t, "team-lead", submission("wiki", "web", "A personal wiki.", "personal", nil))
	}
	first := p.get(t, "developer", "/apps/wiki")
	check(t, first, scenario{status: http.StatusOK, want: []string{"Version 22, submitted by", `data-label="Version">22<`, `data-label="Version">3<`, "Older versions"},
		not: []string{`data-label="Version">2<`}})
	older := follow(t, p, "developer", first)
	check(t, older, scenario{status: http.StatusOK, want: []string{"Version 22, submitted by", `data-label="Version">2<`, `data-label="Version">1<`},
		not: []string{`data-label="Version">3<`, "Older versions"}})
	if n := strings.Count(older.body, `data-label="Version"`); n != 2 {
		t.Errorf("the older page lists %d versions, want 2", n)
	}
}
