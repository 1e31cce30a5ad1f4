package notify

import (
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/slack-go/slack"
)

// Interaction actions.
const (
	// ActionApprove: the Approve button was clicked (and confirmed).
	ActionApprove = "approve"
	// ActionRejectOpen: the Reject button was clicked; open the reason
	// dialog with OpenRejectDialog.
	ActionRejectOpen = "reject-open"
	// ActionReject: the reject dialog was submitted with a reason.
	ActionReject = "reject"
	// ActionOpen: the "Open in Runway" link button was clicked. Slack
	// tells the app about link clicks too; acknowledge and do nothing.
	ActionOpen = "open"
)

// MaxInteractionBody is the largest Slack interaction request body
// ParseInteraction reads.
const MaxInteractionBody = 64 << 10

// Interaction is a Runway action taken in Slack. The caller must have
// checked the request with VerifySlack first, and must map SlackUserID to
// a Runway user (UserEmail) and check their rights before acting.
type Interaction struct {
	Action      string // ActionApprove, ActionRejectOpen, ActionReject or ActionOpen
	PromotionID int64  // 0 for ActionOpen
	SlackUserID string
	SlackTeamID string
	// TriggerID opens a dialog (ActionRejectOpen).
	TriggerID string
	// ResponseURL replaces the clicked message (Respond); empty for a
	// dialog submission.
	ResponseURL string
	// Reason is why the promotion is rejected (ActionReject).
	Reason string
}

// ParseInteraction reads the form-encoded body of a Slack interaction
// request (payload=<json>): a click on one of Runway's buttons
// (block_actions) or the submission of the reject dialog
// (view_submission). Anything else, and any malformed or oversized body,
// is EINVALID.
func ParseInteraction(body []byte) (*Interaction, error) {
	if len(body) > MaxInteractionBody {
		return nil, permanent("the Slack request is larger than %d bytes", MaxInteractionBody)
	}
	form, err := url.ParseQuery(string(body))
	if err != nil || form.Get("payload") == "" {
		return nil, permanent("the Slack request has no payload: it is not a Slack interaction")
	}
	var cb slack.InteractionCallback
	if err := json.Unmarshal([]byte(form.Get("payload")), &cb); err != nil {
		return nil, permanent("the Slack interaction payload is not valid JSON")
	}
	var in *Interaction
	switch cb.Type {
	case slack.InteractionTypeBlockActions:
		in, err = blockAction(&cb)
	case slack.InteractionTypeViewSubmission:
		in, err = viewSubmission(&cb)
	default:
		err = notRunway()
	}
	if err != nil {
		return nil, err
	}
	return in, in.check()
}

func notRunway() error { return permanent("not a Runway action") }

// blockAction reads a button click.
func blockAction(cb *slack.InteractionCallback) (*Interaction, error) {
	acts := cb.ActionCallback.BlockActions
	if len(acts) != 1 || acts[0] == nil || len(cb.ActionCallback.AttachmentActions) != 0 {
		return nil, notRunway()
	}
	in := &Interaction{
		SlackUserID: cb.User.ID,
		SlackTeamID: teamID(cb),
		TriggerID:   cb.TriggerID,
		ResponseURL: cb.ResponseURL,
	}
	switch acts[0].ActionID {
	case SlackApproveAction:
		in.Action = ActionApprove
	case SlackRejectAction:
		in.Action = ActionRejectOpen
		if in.TriggerID == "" {
			return nil, permanent("the Slack click has no trigger ID: the reject dialog cannot be opened")
		}
	case SlackOpenAction:
		in.Action = ActionOpen
		return in, nil
	default:
		return nil, notRunway()
	}
	id, err := promotionID(acts[0].Value)
	in.PromotionID = id
	return in, err
}

// viewSubmission reads the submitted reject dialog.
func viewSubmission(cb *slack.InteractionCallback) (*Interaction, error) {
	if cb.View.CallbackID != SlackRejectDialog {
		return nil, notRunway()
	}
	id, err := promotionID(cb.View.PrivateMetadata)
	if err != nil {
		return nil, err
	}
	var reason string
	if st := cb.View.State; st != nil {
		reason = strings.TrimSpace(st.Values["reason"]["reason"].Value)
	}
	switch {
	case reason == "":
		return nil, permanent("the reject dialog came without a reason: say why the promotion is rejected")
	case utf8.RuneCountInString(reason) > rejectReasonMax || !utf8.ValidString(reason):
		return nil, permanent("the reason is longer than %d characters", rejectReasonMax)
	}
	return &Interaction{
		Action:      ActionReject,
		PromotionID: id,
		SlackUserID: cb.User.ID,
		SlackTeamID: teamID(cb),
		Reason:      reason,
	}, nil
}

// teamID is the workspace of the user who acted.
func teamID(cb *slack.InteractionCallback) string {
	if cb.Team.ID != "" {
		return cb.Team.ID
	}
	return cb.User.TeamID
}

// promotionID reads a promotion ID written by Runway: decimal digits, no
// sign, greater than zero.
func promotionID(s string) (int64, error) {
	if s == "" || len(s) > 19 || strings.TrimLeft(s, "0123456789") != "" {
		return 0, permanent("the Slack action does not name a promotion")
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, permanent("the Slack action does not name a promotion")
	}
	return id, nil
}

// check refuses IDs that are not Slack's.
func (in *Interaction) check() error {
	if !validSlackID(in.SlackUserID) {
		return permanent("the Slack action does not say who acted")
	}
	if in.SlackTeamID != "" && !validSlackID(in.SlackTeamID) {
		return permanent("the Slack action names a malformed workspace ID")
	}
	if len(in.TriggerID) > 256 || len(in.ResponseURL) > 2048 {
		return permanent("the Slack action has an oversized trigger ID or response URL")
	}
	return nil
}

// validSlackID reports whether s looks like a Slack user, team or
// channel ID: upper-case letters and digits.
func validSlackID(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for _, r := range s {
		if (r < 'A' || r > 'Z') && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}
