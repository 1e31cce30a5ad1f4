package runwaytest

import (
	"fmt"
	"testing"
	"time"

	"github.com/runwayhq/runway"
)

// testNonces: a key is new once; a replay is refused until it expires.
func testNonces(t *testing.T, s Store, clock *Clock) {
	for i, want := range []bool{true, false, false} {
		fresh, err := s.ClaimNonce(Ctx, "slack:abc", clock.Now().Add(time.Minute))
		must(t, err)
		if fresh != want {
			t.Fatalf("claim %d: fresh=%t, want %t", i, fresh, want)
		}
	}
	clock.Advance(2 * time.Minute)
	fresh, err := s.ClaimNonce(Ctx, "slack:abc", clock.Now().Add(time.Minute))
	must(t, err)
	if !fresh {
		t.Fatal("an expired key was still remembered")
	}
}

// testGrants: elevated access counts as a role only while active and
// unexpired, and is listed by state.
func testGrants(t *testing.T, s Store, clock *Clock) {
	must(t, s.CreateTeam(Ctx, &runway.Team{Name: "data"}))
	u := &runway.User{Email: "ada@example.com"}
	must(t, s.CreateUser(Ctx, u))
	g := &runway.AccessGrant{User: "user:ada@example.com", Role: runway.RoleTeamLead, Team: "data", Reason: "cover for the lead", Duration: time.Hour, State: runway.GrantRequested}
	must(t, s.CreateGrant(Ctx, g))
	leads := func() int {
		us, err := s.FindUsersWithRole(Ctx, runway.RoleTeamLead, "data")
		must(t, err)
		return len(us)
	}
	if leads() != 0 {
		t.Fatal("a requested grant counts")
	}
	_, err := s.ChangeGrant(Ctx, g.ID, func(tx *runway.GrantTx) error {
		until := tx.Now.Add(tx.Grant.Duration)
		tx.Grant.State, tx.Grant.ExpiresAt, tx.Grant.DecidedAt, tx.Grant.DecidedBy = runway.GrantActive, &until, &tx.Now, "user:admin@example.com"
		tx.Events = append(tx.Events, runway.Event{Action: "access.approve"})
		return nil
	})
	must(t, err)
	if leads() != 1 {
		t.Fatal("an active grant does not count")
	}
	u2, err := s.FindUser(Ctx, "ada@example.com")
	must(t, err)
	if fmt.Sprint(u2.Grants) != "[{team-lead data}]" {
		t.Fatalf("grants: %v", u2.Grants)
	}
	gs, err := s.FindGrants(Ctx, runway.GrantFilter{States: []runway.GrantState{runway.GrantActive}})
	must(t, err)
	if len(gs) != 1 || gs[0].User != "user:ada@example.com" || gs[0].Duration != time.Hour {
		t.Fatalf("active grants: %+v", gs)
	}
	clock.Advance(time.Hour)
	if leads() != 0 {
		t.Fatal("an expired grant still counts")
	}
	due, err := s.DueGrants(Ctx, clock.Now())
	must(t, err)
	if len(due) != 1 || due[0] != g.ID {
		t.Fatalf("due grants: %v", due)
	}
}
