package window

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/runwaytest"
)

func TestCompileErrors(t *testing.T) {
	t.Parallel()
	ok := Spec{Name: "weekday mornings", Cron: "0 9 * * 1-4", Duration: 6 * time.Hour, TimeZone: "Europe/Berlin"}
	with := func(change func(*Spec)) []Spec {
		s := ok
		change(&s)
		return []Spec{s}
	}
	tests := []struct {
		name  string
		specs []Spec
	}{
		{"day of week out of range", with(func(s *Spec) { s.Cron = "0 9 * * 1-8" })},
		{"hour out of range", with(func(s *Spec) { s.Cron = "0 25 * * *" })},
		{"not a number", with(func(s *Spec) { s.Cron = "0 nine * * *" })},
		{"four fields", with(func(s *Spec) { s.Cron = "0 9 * *" })},
		{"six fields", with(func(s *Spec) { s.Cron = "0 0 9 * * 1" })},
		{"blank cron", with(func(s *Spec) { s.Cron = "   " })},
		{"unknown descriptor", with(func(s *Spec) { s.Cron = "@fortnightly" })},
		{"every", with(func(s *Spec) { s.Cron = "@every 1h" })},
		{"time zone in the cron", with(func(s *Spec) { s.Cron = "CRON_TZ=Europe/Paris 0 9 * * *" })},
		{"time zone in the cron without a space", with(func(s *Spec) { s.Cron = "TZ=Europe/Paris" })},
		{"time zone in a field", with(func(s *Spec) { s.Cron = "0 9 * * TZ=x" })},
		{"a day that never comes", with(func(s *Spec) { s.Cron = "0 9 31 2 *" })},
		{"bad time zone", with(func(s *Spec) { s.TimeZone = "Europe/Berln" })},
		{"local time zone", with(func(s *Spec) { s.TimeZone = "Local" })},
		{"both cron and period", with(func(s *Spec) { s.From, s.To = at(time.UTC, "2026-12-20 00:00"), at(time.UTC, "2027-01-04 00:00") })},
		{"no schedule", with(func(s *Spec) { s.Cron = ""; s.Duration = 0 })},
		{"zero duration", with(func(s *Spec) { s.Duration = 0 })},
		{"negative duration", with(func(s *Spec) { s.Duration = -time.Hour })},
		{"duration too long", with(func(s *Spec) { s.Duration = 31 * 24 * time.Hour })},
		{"period without To", with(func(s *Spec) { s.Cron, s.Duration, s.From = "", 0, at(time.UTC, "2026-12-20 00:00") })},
		{"period ends before it starts", with(func(s *Spec) {
			s.Cron, s.Duration, s.From, s.To = "", 0, at(time.UTC, "2027-01-04 00:00"), at(time.UTC, "2026-12-20 00:00")
		})},
		{"period with a duration", with(func(s *Spec) {
			s.Cron, s.From, s.To = "", at(time.UTC, "2026-12-20 00:00"), at(time.UTC, "2027-01-04 00:00")
		})},
		{"unknown environment", with(func(s *Spec) { s.Environments = []runway.Environment{"prod"} })},
		{"tier 0", with(func(s *Spec) { s.Tiers = []runway.Tier{0} })},
		{"tier 4", with(func(s *Spec) { s.Tiers = []runway.Tier{3, 4} })},
		{"freeze", []Spec{ok, {Name: "year-end", Freeze: true, Cron: "0 0 20 12 *"}}},
		{"no name", []Spec{ok, {Cron: "0 9 * * *", Duration: time.Hour}}},
		{"same name twice", []Spec{ok, ok}},
	}
	var golden strings.Builder
	for _, tt := range tests {
		c, err := Compile(tt.specs)
		if err == nil {
			t.Errorf("%s: Compile accepted %+v", tt.name, tt.specs)
			continue
		}
		if c != nil || runway.ErrorCode(err) != runway.EINVALID {
			t.Errorf("%s: got calendar %v and error code %q, want nil and %q", tt.name, c, runway.ErrorCode(err), runway.EINVALID)
		}
		fmt.Fprintf(&golden, "%s\n  %s\n", tt.name, runway.ErrorMessage(err))
	}
	runwaytest.Golden(t, "testdata/compile_errors.golden", []byte(golden.String()))
}

func TestCompileAccepts(t *testing.T) {
	t.Parallel()
	specs := []Spec{
		{Name: "descriptor", Cron: "@daily", Duration: time.Hour},
		{Name: "names", Cron: "0 9 * JAN-MAR mon-fri", Duration: time.Hour, TimeZone: "America/New_York"},
		{Name: "steps and lists", Cron: "*/15 8-18 1,15 * ?", Duration: 10 * time.Minute},
		{Name: "leap day", Cron: "0 0 29 2 *", Duration: time.Hour},
		{Name: "padded", Cron: "  0 9 * * 1  ", Duration: time.Hour},
		{Name: "period", From: at(time.UTC, "2026-12-20 00:00"), To: at(time.UTC, "2027-01-04 00:00"), Freeze: true},
		{Name: "scoped", Cron: "0 9 * * *", Duration: 30*24*time.Hour + 23*time.Hour, Tiers: []runway.Tier{1, 2, 3},
			Environments: []runway.Environment{runway.EnvSandbox, runway.EnvStaging, runway.EnvProduction}},
	}
	if _, err := Compile(specs); err != nil {
		t.Fatal(err)
	}
	if c, err := Compile(nil); err != nil || c == nil {
		t.Fatalf("Compile(nil) = %v, %v; want an empty calendar", c, err)
	}
}
