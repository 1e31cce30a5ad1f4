package notify

import (
	"encoding/json"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/runwayhq/runway"
)

const (
	testTriggerID   = "13345224609.738474920.8088930838d88f008e0"
	testResponseURL = "https://hooks.slack.com/actions/T0ACME/1234567890/abcdefXYZ"
)

// clickPayload is a block_actions payload as Slack sends it when a button
// of a Runway message is clicked.
func clickPayload(t testing.TB, actionID, value string) string {
	t.Helper()
	blocks, err := json.Marshal(slackBlocks(sampleNotice(), true))
	if err != nil {
		t.Fatal(err)
	}
	return `{"type":"block_actions","user":{"id":"U0ADA","username":"ada","name":"ada","team_id":"T0ACME"},` +
		`"api_app_id":"A0RUNWAY","token":"legacyverificationtoken",` +
		`"container":{"type":"message","message_ts":"1767225600.000100","channel_id":"C0123456789","is_ephemeral":false},` +
		`"trigger_id":"` + testTriggerID + `","team":{"id":"T0ACME","domain":"acme"},"enterprise":null,"is_enterprise_install":false,` +
		`"channel":{"id":"C0123456789","name":"releases"},` +
		`"message":{"type":"message","subtype":"bot_message","text":"billing-api #12 needs approval","ts":"1767225600.000100","bot_id":"B0RUNWAY","blocks":` + string(blocks) + `},` +
		`"state":{"values":{}},"response_url":"` + testResponseURL + `",` +
		`"actions":[{"action_id":"` + actionID + `","block_id":"runway_actions","text":{"type":"plain_text","text":"Approve","emoji":true},` +
		`"value":"` + value + `","style":"primary","type":"button","action_ts":"1767225612.123456"}]}`
}

// submitPayload is a view_submission payload of the reject dialog.
func submitPayload(callbackID, metadata, reason string) string {
	r, _ := json.Marshal(reason)
	return `{"type":"view_submission","team":{"id":"T0ACME","domain":"acme"},` +
		`"user":{"id":"U0ADA","username":"ada","name":"ada","team_id":"T0ACME"},"api_app_id":"A0RUNWAY","token":"legacyverificationtoken",` +
		`"trigger_id":"12466734323.1395872398.9b5d7d6b2ce5b3e5e1b4c4fd2d9d2b5f",` +
		`"view":{"id":"V0REJECT","team_id":"T0ACME","type":"modal","blocks":[{"type":"input","block_id":"reason",` +
		`"label":{"type":"plain_text","text":"Why are you rejecting it?","emoji":true},"optional":false,"dispatch_action":false,` +
		`"element":{"type":"plain_text_input","action_id":"reason","multiline":true,"max_length":3000}}],` +
		`"private_metadata":"` + metadata + `","callback_id":"` + callbackID + `",` +
		`"state":{"values":{"reason":{"reason":{"type":"plain_text_input","value":` + string(r) + `}}}},` +
		`"hash":"1767225700.4BQ5gWK2","title":{"type":"plain_text","text":"Reject promotion","emoji":true},` +
		`"clear_on_close":false,"notify_on_close":false,"close":{"type":"plain_text","text":"Cancel","emoji":true},` +
		`"submit":{"type":"plain_text","text":"Reject","emoji":true},"previous_view_id":null,"root_view_id":"V0REJECT",` +
		`"app_id":"A0RUNWAY","external_id":"","app_installed_team_id":"T0ACME","bot_id":"B0RUNWAY"},"response_urls":[],"is_enterprise_install":false,"enterprise":null}`
}

func form(payload string) []byte { return []byte("payload=" + url.QueryEscape(payload)) }

func TestParseInteraction(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body []byte
		want *Interaction // nil: EINVALID
	}{
		{"approve", form(clickPayload(t, "runway_approve", "42")), &Interaction{
			Action: ActionApprove, PromotionID: 42, SlackUserID: "U0ADA", SlackTeamID: "T0ACME",
			TriggerID: testTriggerID, ResponseURL: testResponseURL,
		}},
		{"reject button", form(clickPayload(t, "runway_reject", "42")), &Interaction{
			Action: ActionRejectOpen, PromotionID: 42, SlackUserID: "U0ADA", SlackTeamID: "T0ACME",
			TriggerID: testTriggerID, ResponseURL: testResponseURL,
		}},
		{"open link", form(clickPayload(t, "runway_open", "")), &Interaction{
			Action: ActionOpen, SlackUserID: "U0ADA", SlackTeamID: "T0ACME",
			TriggerID: testTriggerID, ResponseURL: testResponseURL,
		}},
		{"reject dialog", form(submitPayload("runway_reject", "42", "  The SBOM adds an unvetted crypto library.\n")), &Interaction{
			Action: ActionReject, PromotionID: 42, SlackUserID: "U0ADA", SlackTeamID: "T0ACME",
			Reason: "The SBOM adds an unvetted crypto library.",
		}},
		{"other app's button", form(clickPayload(t, "deploy_now", "42")), nil},
		{"other dialog", form(submitPayload("feedback", "42", "x")), nil},
		{"empty reason", form(submitPayload("runway_reject", "42", "  ")), nil},
		{"reason too long", form(submitPayload("runway_reject", "42", strings.Repeat("a", 3001))), nil},
		{"zero id", form(clickPayload(t, "runway_approve", "0")), nil},
		{"negative id", form(clickPayload(t, "runway_approve", "-42")), nil},
		{"signed id", form(clickPayload(t, "runway_approve", "+42")), nil},
		{"id with space", form(clickPayload(t, "runway_approve", " 42")), nil},
		{"id not a number", form(clickPayload(t, "runway_approve", "42abc")), nil},
		{"id overflows", form(clickPayload(t, "runway_approve", "9223372036854775808")), nil},
		{"metadata not an id", form(submitPayload("runway_reject", "{}", "reason")), nil},
		{"no user", form(strings.Replace(clickPayload(t, "runway_approve", "42"), `"id":"U0ADA"`, `"id":""`, 1)), nil},
		{"bad user id", form(strings.Replace(clickPayload(t, "runway_approve", "42"), `"id":"U0ADA"`, `"id":"U0ADA\u003cx"`, 1)), nil},
		{"reject without trigger", form(strings.Replace(clickPayload(t, "runway_reject", "42"), testTriggerID, "", 1)), nil},
		{"two actions", form(strings.Replace(clickPayload(t, "runway_approve", "42"), `"actions":[{`, `"actions":[{"action_id":"runway_approve","block_id":"b","value":"7"},{`, 1)), nil},
		{"with an attachment action", form(strings.Replace(clickPayload(t, "runway_approve", "42"), `"actions":[{`, `"actions":[{"name":"approve","value":"7"},{`, 1)), nil},
		{"shortcut", form(`{"type":"shortcut","callback_id":"runway_reject","user":{"id":"U0ADA"}}`), nil},
		{"no payload", []byte("token=x&team_id=T0ACME"), nil},
		{"not a form", []byte("%zz"), nil},
		{"bad JSON", form(`{"type":`), nil},
		{"JSON array", form(`[1,2]`), nil},
		{"too large", append(form(clickPayload(t, "runway_approve", "42")), []byte("&pad="+strings.Repeat("a", MaxInteractionBody))...), nil},
		{"empty", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseInteraction(tt.body)
			if tt.want == nil {
				if runway.ErrorCode(err) != runway.EINVALID {
					t.Fatalf("ParseInteraction = %+v, %v; want EINVALID", got, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("interaction (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseInteractionNotRunway(t *testing.T) {
	t.Parallel()
	_, err := ParseInteraction(form(clickPayload(t, "deploy_now", "42")))
	if err == nil || err.Error() != "not a Runway action" {
		t.Errorf("err = %v, want %q", err, "not a Runway action")
	}
}

// FuzzParseInteraction checks that no body makes ParseInteraction panic,
// and that what it accepts is well-formed. Seeds are in
// testdata/fuzz/FuzzParseInteraction as well.
func FuzzParseInteraction(f *testing.F) {
	f.Add(form(clickPayload(f, "runway_approve", "42")))
	f.Add(form(clickPayload(f, "runway_reject", "42")))
	f.Add(form(clickPayload(f, "runway_open", "")))
	f.Add(form(submitPayload("runway_reject", "42", "Not during the freeze.")))
	f.Add([]byte(`payload={"type":"block_actions","user":{"id":"U1"},"actions":[{"action_id":"runway_approve","block_id":"b","value":"1"}]}`))
	f.Add([]byte(`payload={"type":"view_submission","user":{"id":"U1"},"view":{"callback_id":"runway_reject","private_metadata":"1","state":{"values":{"reason":{"reason":{"value":"x"}}}}}}`))
	f.Add([]byte(`payload={"type":"block_actions","actions":{"action_id":"runway_approve"}}`))
	f.Add([]byte(`payload={"type":"block_actions","message":{"blocks":[{"type":"rich_text","elements":[{}]}]}}`))
	f.Add([]byte("payload=null"))
	f.Fuzz(func(t *testing.T, body []byte) {
		in, err := ParseInteraction(body)
		if err != nil {
			if runway.ErrorCode(err) != runway.EINVALID {
				t.Fatalf("err = %v, want EINVALID", err)
			}
			return
		}
		if !validSlackID(in.SlackUserID) {
			t.Fatalf("accepted a bad user ID: %+v", in)
		}
		switch in.Action {
		case ActionApprove, ActionRejectOpen, ActionReject:
			if in.PromotionID <= 0 {
				t.Fatalf("accepted %s without a promotion: %+v", in.Action, in)
			}
		case ActionOpen:
		default:
			t.Fatalf("unknown action %q", in.Action)
		}
		if in.Action == ActionReject && strings.TrimSpace(in.Reason) == "" {
			t.Fatalf("accepted a reject without reason: %+v", in)
		}
	})
}

// TestFuzzSeeds writes the seed corpus of FuzzParseInteraction when run
// with -update, so that the files stay in step with the payloads above.
func TestFuzzSeeds(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzParseInteraction")
	seeds := map[string][]byte{
		"approve":       form(clickPayload(t, "runway_approve", "42")),
		"reject-button": form(clickPayload(t, "runway_reject", "42")),
		"reject-dialog": form(submitPayload("runway_reject", "42", "Not during the freeze.")),
	}
	for name, body := range seeds {
		data, err := json.Marshal(string(body))
		if err != nil {
			t.Fatal(err)
		}
		golden(t, filepath.Join(dir, name), []byte("go test fuzz v1\n[]byte("+string(data)+")\n"))
	}
}
