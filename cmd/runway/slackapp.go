package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/access"
	"github.com/runwayhq/runway/notify"
	"github.com/runwayhq/runway/release"
	"github.com/runwayhq/runway/sqlstore"
)

// SlackInteractionsPath is where Slack posts button clicks and dialog
// submissions (the app's Interactivity Request URL).
const SlackInteractionsPath = "/api/v1/integrations/slack/interactions"

// slackApp answers Slack's interactive requests: Approve and Reject
// buttons on approval messages, and the reject dialog. Each request is
// verified (v0 signature, 300-second window) and its signature claimed
// once, so a replay changes nothing. The Slack user becomes a Runway user
// by the email Slack has for them; every rule of release applies.
type slackApp struct {
	slack    *notify.Slack
	secret   string
	promoter *release.Promoter
	store    *sqlstore.DB
	log      interface {
		WarnContext(ctx context.Context, msg string, args ...any)
	}
	now func() time.Time
}

func (s *server) slackApp() *slackApp {
	var sl *notify.Slack
	for _, c := range s.channels {
		if x, ok := c.Channel.(*notify.Slack); ok {
			sl = x
		}
	}
	if sl == nil {
		sl = &notify.Slack{BotToken: s.cfg.Notify.Slack.BotToken, APIURL: s.cfg.Notify.Slack.APIURL}
	}
	return &slackApp{slack: sl, secret: s.cfg.Notify.Slack.SigningSecret, promoter: s.promoter, store: s.store, log: s.log, now: time.Now}
}

// Register mounts the endpoint.
func (h *slackApp) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST "+SlackInteractionsPath, h.serve)
}

// slackBodyLimit bounds what Slack may send; its payloads are a few KiB.
const slackBodyLimit = 64 << 10

func (h *slackApp) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, slackBodyLimit+1))
	if err != nil || len(body) > slackBodyLimit {
		http.Error(w, "request body too large or unreadable", http.StatusRequestEntityTooLarge)
		return
	}
	now := h.now()
	if err := notify.VerifySlack(r.Header, body, h.secret, now); err != nil {
		http.Error(w, runway.ErrorMessage(err), http.StatusUnauthorized)
		return
	}
	ctx := runway.WithActor(r.Context(), "slack")
	fresh, err := h.store.ClaimNonce(ctx, "slack:"+notify.ReplayKey(r.Header), now.Add(10*time.Minute))
	if err != nil {
		http.Error(w, "the database does not answer; Slack will retry", http.StatusServiceUnavailable)
		return
	}
	if !fresh {
		w.WriteHeader(http.StatusOK) // a replay: already handled once
		return
	}
	in, err := notify.ParseInteraction(body)
	if err != nil {
		http.Error(w, runway.ErrorMessage(err), http.StatusBadRequest)
		return
	}
	switch in.Action {
	case notify.ActionRejectOpen:
		if err := h.slack.OpenRejectDialog(ctx, in.TriggerID, in.PromotionID); err != nil {
			h.reply(ctx, in, "Could not open the reject dialog: "+runway.ErrorMessage(err))
		}
		w.WriteHeader(http.StatusOK)
	case notify.ActionApprove, notify.ActionReject:
		msg, err := h.answer(ctx, in)
		if in.Action == notify.ActionReject && err != nil {
			// Keep the dialog open and show why.
			writeSlackJSON(w, map[string]any{"response_action": "errors", "errors": map[string]string{"reason": msg}})
			return
		}
		w.WriteHeader(http.StatusOK)
		h.reply(ctx, in, msg)
	default:
		w.WriteHeader(http.StatusOK) // "Open in Runway" is a link: nothing to do
	}
}

// answer records the click as the Runway user with the Slack user's email
// and says what happened in plain words.
func (h *slackApp) answer(ctx context.Context, in *notify.Interaction) (string, error) {
	lookup, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	email, err := h.slack.UserEmail(lookup, in.SlackUserID)
	if err != nil {
		return "Runway could not tell who you are from Slack: " + runway.ErrorMessage(err), err
	}
	u, err := h.store.FindUser(ctx, email)
	if err != nil {
		return fmt.Sprintf("%s has no Runway account: sign in to Runway once, then try again.", email), err
	}
	ans := release.Answer{Verdict: runway.Approve, Via: "slack"}
	if in.Action == notify.ActionReject {
		ans = release.Answer{Verdict: runway.Reject, Reason: in.Reason, Via: "slack"}
	}
	p, err := h.promoter.Answer(ctx, access.Principal{User: u}, in.PromotionID, ans)
	if err != nil {
		return "Not recorded: " + runway.ErrorMessage(err), err
	}
	verb := "approved"
	if ans.Verdict == runway.Reject {
		verb = "rejected"
	}
	return fmt.Sprintf("%s %s %s #%d to %s. %s", email, verb, p.App, p.Candidate, p.Environment, p.Outcome), nil
}

// reply updates the Slack message in the background: Slack wants its
// answer within 3 seconds, and the message is only a courtesy.
func (h *slackApp) reply(ctx context.Context, in *notify.Interaction, text string) {
	if in.ResponseURL == "" {
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if err := h.slack.Respond(ctx, in.ResponseURL, text); err != nil {
			h.log.WarnContext(ctx, "Slack message not updated", "error", err.Error())
		}
	}()
}

func writeSlackJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}
