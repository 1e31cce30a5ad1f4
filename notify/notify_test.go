package notify

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/egress"
)

// sampleNotice is an approval request with every field set.
func sampleNotice() runway.Notice {
	return runway.Notice{
		Kind:  runway.NoticeApprovalNeeded,
		Title: "billing-api #12 needs approval for production",
		Text: []string{
			"Ada Lovelace asks to promote candidate #12 of billing-api to production.",
			"The request expires on 4 May at 12:00 UTC.",
		},
		URL:         "https://runway.example.com/promotions/42",
		App:         "billing-api",
		Team:        "payments",
		Environment: runway.EnvProduction,
		Tier:        3,
		Candidate:   12,
		PromotionID: 42,
		Findings: &runway.FindingCounts{
			Total: 3, Blocking: 1, Accepted: 1,
			BySeverity: map[runway.Severity]int{runway.SeverityCritical: 1, runway.SeverityHigh: 2},
		},
		SBOMChange: "2 components added, 1 upgraded (openssl 3.0.13 → 3.0.14)",
		Requested:  []runway.Role{runway.RoleTeamLead},
		Actor:      "user:ada@example.com",
		At:         time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC),
	}
}

// loopbackClient may reach the test servers on 127.0.0.1, and nothing
// else private.
func loopbackClient() *http.Client {
	return egress.NewClient(egress.Options{AllowHosts: []string{"127.0.0.1"}, Timeout: 5 * time.Second})
}

// wantKind checks that err is nil, permanent (EINVALID) or transient.
func wantKind(t *testing.T, err error, want string) {
	t.Helper()
	var re *runway.Error
	switch {
	case want == "ok" && err != nil:
		t.Fatalf("err = %v, want none", err)
	case want == "ok":
	case err == nil:
		t.Fatalf("err = nil, want a %s error", want)
	case want == "permanent" && runway.ErrorCode(err) != runway.EINVALID:
		t.Fatalf("err = %v (code %q), want a permanent EINVALID error", err, runway.ErrorCode(err))
	case want == "transient" && errors.As(err, &re):
		t.Fatalf("err = %v (code %q), want a transient (plain) error", err, re.Code)
	}
}
