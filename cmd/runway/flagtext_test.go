package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/flags"
	"github.com/runwayhq/runway/runwaytest"
)

// TestFlagAndSecretWords keeps what `runway flags` and `runway secrets`
// print for people in testdata/flags-secrets.golden.
func TestFlagAndSecretWords(t *testing.T) {
	at := time.Date(2026, 11, 29, 9, 30, 0, 0, time.Local) // stamp prints local time
	flag := runway.Flag{App: "notes", Environment: runway.EnvProduction, Key: "new-checkout", Type: runway.FlagBoolean,
		Description: "The new checkout page.", Enabled: true, OffVariant: "off",
		Variants: []runway.FlagVariant{{Name: "on", Value: json.RawMessage("true")}, {Name: "off", Value: json.RawMessage("false"), Description: "the old page"}},
		Rules: []runway.FlagRule{
			{Name: "staff", Conditions: []runway.FlagCondition{{Attribute: "email", Op: runway.OpEndsWith, Values: []string{"@example.com"}}}, Serve: runway.FlagServe{Variant: "on"}},
			{Conditions: []runway.FlagCondition{{Op: runway.OpInGroup, Values: []string{"beta"}}, {Attribute: "version", Op: runway.OpSemverGTE, Values: []string{"2.1.0"}}},
				Serve: runway.FlagServe{Rollout: []runway.FlagWeight{{Variant: "on", Weight: 2550}, {Variant: "off", Weight: 7450}}}},
		},
		Default: runway.FlagServe{Variant: "off"}, Version: 4, UpdatedBy: "user:lead@example.com", UpdatedAt: at}
	killed := flag
	killed.Environment, killed.Rules, killed.Default, killed.Version = runway.EnvStaging, nil, runway.FlagServe{Variant: "on"}, 7
	killed.Kill = &runway.FlagKill{By: "user:sec@example.com", Reason: "checkout errors", At: at}
	off := killed
	off.Kill, off.Enabled = nil, false

	var b bytes.Buffer
	section := func(title string) { fmt.Fprintf(&b, "\n## %s\n", title) }
	section("flags list")
	noErr(t, printFlags(&b, []runway.Flag{flag, killed, off}))
	section("flags get, with rules")
	printFlag(&b, &flag)
	section("flags get, killed")
	printFlag(&b, &killed)
	section("flags history")
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SEQ\tWHEN\tWHO\tVERSION\tWHAT")
	for i, e := range []struct{ action, data string }{
		{"flag.create", `{"version":1,"enabled":false}`}, {"flag.update", `{"version":2,"enabled":true}`}, {"flag.kill", `{"version":3,"reason":"checkout errors"}`},
	} {
		fmt.Fprintln(tw, flagChange(runway.AuditEntry{Seq: int64(40 + i), Time: at, Actor: "user:dev@example.com", Action: e.action, Data: json.RawMessage(e.data)}))
	}
	noErr(t, tw.Flush())
	section("flags try")
	for _, e := range []flags.Evaluation{
		{Variant: "on", Value: json.RawMessage("true"), Reason: flags.ReasonStatic},
		{Variant: "on", Value: json.RawMessage("true"), Reason: flags.ReasonTargetingMatch, Metadata: map[string]any{"rule": "staff"}},
		{Variant: "off", Value: json.RawMessage("false"), Reason: flags.ReasonSplit, Metadata: map[string]any{"bucket": 8127}},
		{Variant: "off", Value: json.RawMessage("false"), Reason: flags.ReasonDefault},
		{Variant: "off", Value: json.RawMessage("false"), Reason: flags.ReasonDisabled, Metadata: map[string]any{"killed": true}},
		{ErrorCode: flags.ErrTargetingKeyMissing, ErrorDetails: "a percentage rollout needs a targetingKey", Reason: flags.ReasonError},
	} {
		fmt.Fprintln(&b, flags.EvaluationWords("ana@example.com", &e))
	}
	section("flags groups list")
	groups := []runway.FlagGroup{
		{App: "notes", Name: "beta", Description: "early testers", Keys: []string{"ana@example.com", "bo@example.com"}, UpdatedAt: at},
		{App: "notes", Name: "staff", Conditions: []runway.FlagCondition{{Attribute: "email", Op: runway.OpEndsWith, Values: []string{"@example.com"}}}, UpdatedAt: at},
	}
	noErr(t, printGroups(&b, groups))
	section("flags groups show")
	printGroup(&b, &groups[1])
	section("flags keys list")
	noErr(t, printFlagKeys(&b, []runway.FlagKey{
		{ID: 1, App: "notes", Environment: runway.EnvStaging, Name: "web server", Hint: "rwf_3f9a2c", CreatedBy: "user:dev@example.com", CreatedAt: at, RevokedAt: &at},
		{ID: 2, App: "notes", Environment: runway.EnvProduction, Name: "web server", Hint: "rwf_81d0be", CreatedBy: "user:lead@example.com", CreatedAt: at},
	}))
	section("secrets list")
	noErr(t, printSecrets(&b, "notes", []runway.SecretInfo{
		{SecretRef: runway.SecretRef{App: "notes", Name: "SLACK_BOT_TOKEN"}, Version: 1, UpdatedAt: at, UpdatedBy: "user:lead@example.com"},
		{SecretRef: runway.SecretRef{App: "notes", Env: runway.EnvProduction, Name: "SLACK_BOT_TOKEN"}, Version: 3, UpdatedAt: at, UpdatedBy: "user:platform@example.com"},
	}))
	section("secrets list, none")
	noErr(t, printSecrets(&b, "notes", nil))
	runwaytest.Golden(t, "testdata/flags-secrets.golden", b.Bytes())
}

func noErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
