package elevate_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/access"
	"github.com/runwayhq/runway/elevate"
	"github.com/runwayhq/runway/runwaytest"
	"github.com/runwayhq/runway/sqlstore"
)

// notices collects what the store queues.
var notices []runway.Notice

func setup(t *testing.T) (*elevate.Service, *sqlstore.DB, *runwaytest.Clock, func(string) access.Principal) {
	t.Helper()
	clock := runwaytest.NewClock()
	store, err := sqlstore.Open(context.Background(), sqlstore.Options{URL: filepath.Join(t.TempDir(), "runway.db"), Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	notices = nil
	store.SetOutbox(func(_ context.Context, _ *sql.Tx, n runway.Notice) error {
		notices = append(notices, n)
		return nil
	})
	for _, team := range []string{"web", "data"} {
		if err := store.CreateTeam(runwaytest.Ctx, &runway.Team{Name: team}); err != nil {
			t.Fatal(err)
		}
	}
	for name, g := range map[string]runway.RoleGrant{
		"dev": {Role: runway.RoleDeveloper, Team: "web"}, "lead": {Role: runway.RoleTeamLead, Team: "web"},
		"datalead": {Role: runway.RoleTeamLead, Team: "data"}, "security": {Role: runway.RoleSecurity}, "admin": {Role: runway.RoleAdmin},
	} {
		if err := store.CreateUser(runwaytest.Ctx, &runway.User{Email: name + "@example.com", Grants: []runway.RoleGrant{g}}); err != nil {
			t.Fatal(err)
		}
	}
	as := func(name string) access.Principal {
		u, err := store.FindUser(context.Background(), name+"@example.com")
		if err != nil {
			t.Fatal(err)
		}
		return access.Principal{User: u}
	}
	return &elevate.Service{Grants: store, Apps: store, Now: clock.Now}, store, clock, as
}

func holds(t *testing.T, store *sqlstore.DB, email string, g runway.RoleGrant) bool {
	t.Helper()
	u, err := store.FindUser(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range u.Grants {
		if h == g {
			return true
		}
	}
	return false
}

// TestElevatedAccessLifecycle: asked with a reason, approved by someone
// else with the right role, active for its hours, over by itself.
func TestElevatedAccessLifecycle(t *testing.T) {
	s, store, clock, as := setup(t)
	ctx := context.Background()
	want := runway.RoleGrant{Role: runway.RoleDeveloper, Team: "data"}
	g, err := s.Request(ctx, as("dev"), elevate.Request{Role: runway.RoleDeveloper, Team: "data", Hours: 4, Reason: "fix the nightly export with the data team"})
	if err != nil {
		t.Fatal(err)
	}
	refusals := []struct {
		who, says string
	}{
		{"dev", "cannot approve your own access request"},
		{"lead", "only a team lead of data or an admin may approve"},
		{"security", "only a team lead of data or an admin may approve"},
	}
	for _, r := range refusals {
		if _, err := s.Decide(ctx, as(r.who), g.ID, true, ""); runway.ErrorCode(err) != runway.EFORBIDDEN || !strings.Contains(err.Error(), r.says) {
			t.Errorf("%s approving: %v, want %q", r.who, err, r.says)
		}
	}
	if holds(t, store, "dev@example.com", want) {
		t.Fatal("access before approval")
	}
	if g, err = s.Decide(ctx, as("datalead"), g.ID, true, "ok for today"); err != nil || g.State != runway.GrantActive {
		t.Fatalf("approve: %+v %v", g, err)
	}
	if !holds(t, store, "dev@example.com", want) {
		t.Fatal("no access after approval")
	}
	// At the expiry, access stops even before the job marks it expired.
	clock.Advance(4*time.Hour + time.Second)
	if holds(t, store, "dev@example.com", want) {
		t.Fatal("access after its expiry")
	}
	if err := s.Expire(ctx); err != nil {
		t.Fatal(err)
	}
	if g, _ = store.FindGrant(ctx, g.ID); g.State != runway.GrantExpired {
		t.Fatalf("after the expiry job: %+v", g)
	}
	entries, err := store.AuditEntries(ctx, runway.AuditFilter{Subject: "access:1"})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range entries {
		actions = append(actions, e.Action)
	}
	if strings.Join(actions, " ") != "access.request access.approve access.expire" {
		t.Fatalf("audit: %v", actions)
	}
	// Approvers hear of the request; the requester hears each outcome.
	var told []string
	for _, n := range notices {
		told = append(told, fmt.Sprintf("%s %v %d", n.Kind, n.To, n.AccessID))
	}
	wantTold := "access.requested [] 1|access.outcome [user:dev@example.com] 1|access.outcome [user:dev@example.com] 1"
	if strings.Join(told, "|") != wantTold {
		t.Fatalf("notices:\n%s\nwant\n%s", strings.Join(told, "|"), wantTold)
	}
}

func TestAccessRequestsAreChecked(t *testing.T) {
	s, _, _, as := setup(t)
	ctx := context.Background()
	cases := []struct {
		req  elevate.Request
		says string
	}{
		{elevate.Request{Role: "root", Hours: 1, Reason: "because I want to"}, `role "root"`},
		{elevate.Request{Role: runway.RoleSecurity, Hours: 100, Reason: "because I want to"}, "between 0.25 and 72 hours"},
		{elevate.Request{Role: runway.RoleSecurity, Hours: 1, Reason: "pls"}, "say why you need it"},
		{elevate.Request{Role: runway.RoleDeveloper, Hours: 1, Reason: "because I want to"}, "name the team"},
		{elevate.Request{Role: runway.RoleSecurity, Team: "web", Hours: 1, Reason: "because I want to"}, "organisation role"},
		{elevate.Request{Role: runway.RoleDeveloper, Team: "web", Hours: 1, Reason: "because I want to"}, "already hold"},
	}
	for _, c := range cases {
		if _, err := s.Request(ctx, as("dev"), c.req); err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%+v: %v, want %q", c.req, err, c.says)
		}
	}
	// Rejection needs a reason; a decided request cannot be decided again.
	g, err := s.Request(ctx, as("dev"), elevate.Request{Role: runway.RoleSecurity, Hours: 1, Reason: "review an incident's logs"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Decide(ctx, as("admin"), g.ID, false, ""); runway.ErrorCode(err) != runway.EINVALID {
		t.Fatalf("reject without a reason: %v", err)
	}
	if _, err := s.Decide(ctx, as("security"), g.ID, false, "use the shared dashboard"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Decide(ctx, as("admin"), g.ID, true, ""); runway.ErrorCode(err) != runway.ECONFLICT {
		t.Fatalf("approve after a rejection: %v", err)
	}
}
