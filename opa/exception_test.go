package opa

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/runwaytest"
)

func writeExceptions(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "exceptions.yaml")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestExceptions: an active exception turns a deny into a warning that
// names it, for built-in and organisation rules alike; an expired one, or
// one for another app or environment, no longer applies.
func TestExceptions(t *testing.T) {
	t.Parallel()
	file := writeExceptions(t, `exceptions:
  - app: lunch-poll
    rule: runway.secrets.secret_in_code
    reason: The key is a revoked test key kept for the fixtures.
    approver: dana (security)
    expires: 2026-12-31
  - app: lunch-poll
    rule: acme.owner.deny
    reason: The owner team is being renamed this month.
    approver: kim (platform)
    expires: 2026-12-01
    environments: [production]
  - app: lunch-poll
    rule: runway.scans.scan_did_not_run
    reason: The scanner was down last month.
    approver: dana (security)
    expires: 2026-10-31
  - app: other-app
    rule: runway.sast.serious_weakness
    reason: Not this app, so it must not apply.
    approver: dana (security)
    expires: 2027-01-31
`)
	org := writePolicies(t, map[string]string{"owner.rego": "package acme.owner\n\ndeny contains \"The owner is not a known team\" if input.manifest.owner == \"sam\"\n"})
	decide := func(env string, at time.Time) *runway.Report {
		e := newEngine(t, Options{Policies: []string{org}, Exceptions: file, Environment: env, Now: func() time.Time { return at }})
		r := cleanReport()
		r.Checks = r.Checks[:6] // no sast or sbom check: the scan did not run
		r.Findings = append(r.Findings, runway.Finding{ID: "k", Check: "secrets", Kind: runway.KindSecret, Severity: runway.SeverityHigh,
			Title: "AWS key", File: "app.js", Line: 3, Rule: "aws-access-key"})
		if err := e.Decide(context.Background(), workspace(t, personalApp(), smallInventory()), r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	r := decide("production", now)
	if got := strings.Join(denyRules(r.Findings), ", "); got != "deny runway.scans.scan_did_not_run" {
		t.Errorf("denies = %s; want only the scan, whose exception expired", got)
	}
	var excepted []string
	for _, f := range r.Findings {
		if f.Kind == runway.KindPolicy && strings.Contains(f.Title, "allowed by an exception until") {
			excepted = append(excepted, f.Rule)
			if !strings.Contains(f.Message, "An exception approved by") {
				t.Errorf("%s does not say who approved the exception: %s", f.Rule, f.Message)
			}
		}
	}
	if got := strings.Join(excepted, ", "); got != "acme.owner.deny, runway.secrets.secret_in_code" {
		t.Errorf("excepted = %s", got)
	}
	r = decide("staging", now)
	if got := strings.Join(denyRules(r.Findings), ", "); got != "deny acme.owner.deny" {
		t.Errorf("in staging denies = %s; want the owner rule, whose exception is for production only", got)
	}
	r = decide("production", time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC))
	if got := strings.Join(denyRules(r.Findings), ", "); got != "deny acme.owner.deny, deny runway.scans.scan_did_not_run, deny runway.secrets.secret_in_code" {
		t.Errorf("after expiry denies = %s; want all three", got)
	}
}

// TestExceptionExpiry: the exception applies through its last day, UTC.
func TestExceptionExpiry(t *testing.T) {
	t.Parallel()
	e := Exception{Expires: "2026-12-31"}
	for _, tt := range []struct {
		at   time.Time
		want bool
	}{
		{time.Date(2026, 12, 31, 23, 59, 59, 0, time.UTC), true},
		{time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), false},
		{time.Date(2026, 12, 31, 23, 0, 0, 0, time.FixedZone("UTC-2", -2*3600)), false},
	} {
		if got := e.ActiveAt(tt.at, "production"); got != tt.want {
			t.Errorf("ActiveAt(%v) = %v, want %v", tt.at, got, tt.want)
		}
	}
	if (Exception{Expires: "someday"}).ActiveAt(now, "production") {
		t.Error("an exception with an unreadable date applies")
	}
}

// TestExceptionFileProblems: a bad exceptions file is EINVALID with every
// problem at its line, in plain words (golden).
func TestExceptionFileProblems(t *testing.T) {
	t.Parallel()
	file := writeExceptions(t, `exceptions:
  - app: Lunch Poll
    rule: secrets
    reason: short
    aprover: dana
    expires: 2026-02-30
  - app: lunch-poll
    rule: runway.secrets.secret_in_code
    reason: A reason that is long enough.
    approver: dana
    expires: 31/12/2026
    environments: [prod]
`)
	_, err := LoadExceptions(file)
	if runway.ErrorCode(err) != runway.EINVALID {
		t.Fatalf("error %v, want EINVALID", err)
	}
	runwaytest.Golden(t, "testdata/exceptions-problems.golden", []byte(strings.ReplaceAll(err.Error(), file, "exceptions.yaml")+"\n"))

	file = writeExceptions(t, "exceptions:\n  - app: lunch-poll\n    rule: runway.secrets.secret_in_code\n    reason: A reason that is long enough.\n    approver: dana\n    expires: 2026-02-30\n")
	_, err = LoadExceptions(file)
	if err == nil || !strings.Contains(err.Error(), "`2026-02-30` is not a real day") || !strings.Contains(err.Error(), ":6:") {
		t.Errorf("impossible date: %v", err)
	}
	if _, err := New(context.Background(), Options{Exceptions: filepath.Join(t.TempDir(), "none.yaml")}); runway.ErrorCode(err) != runway.EINVALID {
		t.Errorf("missing exceptions file: %v", err)
	}
}
