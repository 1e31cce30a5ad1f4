package window

import (
	"testing"
	"time"

	"github.com/runwayhq/runway"
)

// BenchmarkCheck checks a realistic calendar: three windows and two
// freezes, asked at instants spread over a year, open and closed alike.
func BenchmarkCheck(b *testing.B) {
	c, err := Compile([]Spec{
		weekdayMornings,
		{Name: "afternoons", Cron: "0 14 * * 1-5", Duration: 3 * time.Hour, TimeZone: "Europe/Berlin",
			Tiers: []runway.Tier{1, 2}},
		{Name: "staging nights", Cron: "0 22 * * *", Duration: 6 * time.Hour, TimeZone: "America/New_York",
			Environments: []runway.Environment{runway.EnvStaging}},
		yearEnd,
		{Name: "friday", Freeze: true, Reason: "no releases before the weekend", Cron: "0 12 * * 5", Duration: 60 * time.Hour,
			TimeZone: "Europe/Berlin", Environments: []runway.Environment{runway.EnvProduction}},
	})
	if err != nil {
		b.Fatal(err)
	}
	start := at(time.UTC, "2026-06-01 00:00")
	envs := runway.Environments
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		t := start.Add(time.Duration(i%8760) * time.Hour)
		st := c.Check(runway.Tier(1+i%3), envs[i%len(envs)], t)
		if st.Why == "" {
			b.Fatal("no reason")
		}
		i++
	}
}
