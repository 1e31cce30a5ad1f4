package window

import (
	"testing"
	"time"

	"github.com/runwayhq/runway"
)

func TestDescribe(t *testing.T) {
	t.Parallel()
	tests := []struct {
		spec Spec
		want string
	}{
		{weekdayMornings, "Production releases of tier 3 apps may happen at 09:00 on Monday to Thursday, Europe/Berlin, for 6 hours."},
		{yearEnd, "Releases are frozen from 20 Dec 2026 00:00 to 4 Jan 2027 00:00 UTC: year-end freeze."},
		{prodFreeze, "Production releases are frozen from 3 Dec 2026 00:00 to 5 Dec 2026 00:00 UTC: the annual audit."},
		{Spec{Cron: "30 17 * * FRI", Duration: 62*time.Hour + 30*time.Minute, Freeze: true, TimeZone: "Europe/Berlin"},
			"Releases are frozen at 17:30 on Friday, Europe/Berlin, for 2 days 14 hours 30 minutes."},
		{Spec{Cron: "0 9,14 1,15 * *", Duration: 90 * time.Minute, Tiers: []runway.Tier{3, 2}},
			"Releases of tier 2 and 3 apps may happen at 09:00 and 14:00 on days 1 and 15 of the month, UTC, for 1 hour 30 minutes."},
		{Spec{Cron: "0 9-17 * 12 1,3,5", Duration: time.Minute, Environments: []runway.Environment{runway.EnvStaging, runway.EnvProduction}},
			"Staging and production releases may happen every hour from 09:00 to 17:00 on Monday, Wednesday and Friday in December, UTC, for 1 minute."},
		{Spec{Cron: "30 * 1-7 * 1", Duration: 10 * time.Second},
			"Releases may happen every hour at minute 30 on days 1 to 7 of the month or on Monday, UTC, for 10 seconds."},
		{Spec{Cron: "@weekly", Duration: 24 * time.Hour}, "Releases may happen at 00:00 on Sunday, UTC, for 1 day."},
		{Spec{Cron: "*/15 8-18 * * *", Duration: 5 * time.Minute}, `Releases may happen on the cron schedule "*/15 8-18 * * *", UTC, for 5 minutes.`},
		{Spec{Cron: "0 9 * * 1-8", Duration: 1500 * time.Millisecond}, `Releases may happen on the cron schedule "0 9 * * 1-8", UTC, for 1.5s.`},
		{Spec{From: at(berlin, "2026-03-28 12:00"), To: at(berlin, "2026-03-29 12:00"), TimeZone: "Europe/Berlin"},
			"Releases may happen from 28 Mar 2026 12:00 CET to 29 Mar 2026 12:00 CEST."},
		{Spec{}, `Releases may happen on the cron schedule "", UTC, for 0s.`},
	}
	for _, tt := range tests {
		if got := tt.spec.Describe(); got != tt.want {
			t.Errorf("Describe(%+v)\n got %s\nwant %s", tt.spec, got, tt.want)
		}
	}
}
