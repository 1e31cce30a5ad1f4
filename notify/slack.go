package notify

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/runwayhq/runway"
	"github.com/slack-go/slack"
)

// Slack posts notices to one Slack channel, through an incoming webhook
// or as a bot (chat.postMessage). With a bot token it also looks up who
// clicked a button, opens the reject dialog and answers clicks.
type Slack struct {
	// WebhookURL is an incoming webhook. It is a secret: whoever has it
	// can post to the channel.
	WebhookURL string
	// BotToken (xoxb-...) and Channel (an ID such as C0123456789) post
	// with chat.postMessage; they win over WebhookURL when both are set.
	BotToken string
	Channel  string
	// APIURL is the Slack Web API base URL, ending with "/" (default
	// https://slack.com/api/); tests point it at a local server.
	APIURL string
	// Interactive adds Approve and Reject buttons to approval requests;
	// clicks are posted to Runway's Slack endpoint. It needs BotToken, to
	// look up the email of who clicked.
	Interactive bool
	// HTTP is the client for every request (default: egress.NewClient with
	// default options).
	HTTP *http.Client
}

// slackHooksHost serves incoming webhooks and response URLs.
const slackHooksHost = "hooks.slack.com"

// Name returns "slack".
func (s *Slack) Name() string { return "slack" }

// Send posts n: a header with the title, the facts as fields, the text,
// the findings summary, the SBOM change and the buttons. It returns
// EINVALID when Slack refused the message or the configuration is wrong,
// any other error when a retry may succeed.
func (s *Slack) Send(ctx context.Context, n runway.Notice) error {
	if err := s.check(); err != nil {
		return err
	}
	blocks, text := slackBlocks(n, s.Interactive), slackText(n)
	if s.BotToken != "" && s.Channel != "" {
		_, _, err := s.api().PostMessageContext(ctx, s.Channel,
			slack.MsgOptionText(text, false), slack.MsgOptionBlocks(blocks...))
		return sendError("the Slack API (chat.postMessage)", err, s.BotToken)
	}
	msg := &slack.WebhookMessage{Text: text, Blocks: &slack.Blocks{BlockSet: blocks}}
	err := slack.PostWebhookCustomHTTPContext(ctx, s.WebhookURL, client(s.HTTP), msg)
	return sendError("the Slack webhook", err, urlSecrets(s.WebhookURL)...)
}

// check reports a configuration that cannot work, as EINVALID.
func (s *Slack) check() error {
	switch {
	case s.BotToken == "" && s.WebhookURL == "":
		return permanent("Slack is not set up: give it an incoming webhook URL, or a bot token and a channel")
	case s.BotToken != "" && s.Channel == "" && s.WebhookURL == "":
		return permanent("Slack has a bot token but no channel to post to: set the channel ID (such as C0123456789)")
	case s.Interactive && s.BotToken == "":
		return permanent("Slack buttons need a bot token, to look up who clicked: set the bot token or turn interactive off")
	}
	if s.BotToken == "" || s.Channel == "" {
		if _, ok := webURL(s.WebhookURL); !ok {
			return permanent("the Slack webhook URL is not an http(s) URL: copy it again from the Slack app's Incoming Webhooks page")
		}
	}
	return s.checkAPIURL()
}

func (s *Slack) checkAPIURL() error {
	if s.APIURL == "" {
		return nil
	}
	if _, ok := webURL(s.APIURL); !ok || !strings.HasSuffix(s.APIURL, "/") {
		return permanent("the Slack API URL %q must be an http(s) URL ending with \"/\", such as https://slack.com/api/", s.APIURL)
	}
	return nil
}

// needBot reports, as EINVALID, that what needs a bot token.
func (s *Slack) needBot(what string) error {
	if s.BotToken == "" {
		return permanent("%s needs a Slack bot token: set the bot token of the Slack app", what)
	}
	return s.checkAPIURL()
}

// api returns a Slack Web API client.
func (s *Slack) api() *slack.Client {
	opts := []slack.Option{slack.OptionHTTPClient(client(s.HTTP))}
	if s.APIURL != "" {
		opts = append(opts, slack.OptionAPIURL(s.APIURL))
	}
	return slack.New(s.BotToken, opts...)
}

// apiURL returns the Web API base URL in use.
func (s *Slack) apiURL() string {
	if s.APIURL != "" {
		return s.APIURL
	}
	return slack.APIURL
}

// UserEmail returns the email address of a Slack user, with users.info.
// It needs BotToken and the users:read.email permission. It returns
// EINVALID for a bad user ID or configuration, ENOTFOUND for an unknown
// user, and another error when Slack could not be asked.
func (s *Slack) UserEmail(ctx context.Context, slackUserID string) (string, error) {
	if err := s.needBot("Looking up who clicked in Slack"); err != nil {
		return "", err
	}
	if !validSlackID(slackUserID) {
		return "", permanent("%q is not a Slack user ID", truncate(slackUserID, 40))
	}
	u, err := s.api().GetUserInfoContext(ctx, slackUserID)
	if err != nil {
		return "", sendError("the Slack API (users.info)", err, s.BotToken)
	}
	if u.Profile.Email == "" {
		return "", permanent("Slack gave no email address for user %s: add the users:read.email permission to the Slack app and reinstall it", slackUserID)
	}
	return u.Profile.Email, nil
}

// OpenRejectDialog opens, for the user who clicked Reject, a dialog asking
// why; its submission comes back as an Interaction with Action "reject".
// It needs BotToken, and must be called within 3 seconds of the click.
func (s *Slack) OpenRejectDialog(ctx context.Context, triggerID string, promotionID int64) error {
	if err := s.needBot("The Slack reject dialog"); err != nil {
		return err
	}
	if triggerID == "" || promotionID <= 0 {
		return permanent("the Slack reject dialog needs the click's trigger ID and a promotion")
	}
	_, err := s.api().OpenViewContext(ctx, triggerID, rejectDialog(promotionID))
	return sendError("the Slack API (views.open)", err, s.BotToken)
}

// rejectReasonMax is the longest reason the dialog takes.
const rejectReasonMax = 3000

// rejectDialog is the modal asking why a promotion is rejected.
func rejectDialog(promotionID int64) slack.ModalViewRequest {
	input := slack.NewPlainTextInputBlockElement(plain("The requester sees this."), "reason").
		WithMultiline(true).WithMaxLength(rejectReasonMax)
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		Title:           plain("Reject promotion"),
		Submit:          plain("Reject"),
		Close:           plain("Cancel"),
		CallbackID:      SlackRejectDialog,
		PrivateMetadata: strconv.FormatInt(promotionID, 10),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			slack.NewInputBlock("reason", plain("Why are you rejecting it?"), nil, input),
		}},
	}
}

// Respond replaces the message a button was clicked in with text, through
// the click's response URL. Only response URLs on hooks.slack.com (https)
// or on the host of APIURL are used, so that a forged click cannot make
// Runway post elsewhere.
func (s *Slack) Respond(ctx context.Context, responseURL, text string) error {
	if !s.slackURL(responseURL) {
		return permanent("the Slack response URL is not on %s: Runway answers only to Slack", slackHooksHost)
	}
	msg := &slack.WebhookMessage{Text: escape(text, slackSectionMax), ReplaceOriginal: true}
	err := slack.PostWebhookCustomHTTPContext(ctx, responseURL, client(s.HTTP), msg)
	return sendError("the Slack response URL", err, urlSecrets(responseURL)...)
}

// slackURL reports whether raw is a URL Slack gave: https on
// hooks.slack.com, or on the configured API host.
func (s *Slack) slackURL(raw string) bool {
	u, ok := webURL(raw)
	if !ok {
		return false
	}
	if u.Scheme == "https" && strings.EqualFold(u.Host, slackHooksHost) {
		return true
	}
	api, err := url.Parse(s.apiURL())
	return err == nil && u.Scheme == api.Scheme && strings.EqualFold(u.Host, api.Host)
}
