package connector

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"

	"github.com/google/cel-go/common/types"
)

var slackPostMessage = &action{
	name:        "slack.post_message",
	params:      []param{{"text", textParam}, {"channel", textParam}, {"blocks", anyParam}},
	integration: "slack",
	secret:      requiredSecret,
	output:      []field{{"ok", types.BoolType}, {"ts", types.StringType}},
	run:         runSlackPostMessage,
}

var teamsPostCard = &action{
	name:        "teams.post_card",
	params:      []param{{"title", textParam}, {"text", textParam}, {"facts", textsParam}, {"link", textParam}},
	integration: "teams",
	secret:      requiredSecret,
	output:      []field{{"ok", types.BoolType}},
	run:         runTeamsPostCard,
}

// runSlackPostMessage posts through the incoming webhook in the secret,
// or, when the step names a channel, with chat.postMessage and the bot
// token in the secret.
func runSlackPostMessage(ctx context.Context, r *actionRun) (map[string]any, error) {
	msg := map[string]any{"text": r.text("text")}
	if blocks, ok := r.args["blocks"]; ok {
		if s, isText := blocks.(string); isText {
			var parsed any
			if err := json.Unmarshal([]byte(s), &parsed); err != nil {
				return nil, fmt.Errorf("blocks is not valid Block Kit JSON: %v", err)
			}
			blocks = parsed
		}
		msg["blocks"] = blocks
	}
	channel := r.text("channel")
	if channel == "" {
		u, err := r.secretURL()
		if err != nil {
			return nil, err
		}
		c := &Call{Method: http.MethodPost, URL: u}
		if err := c.setBody(msg); err != nil {
			return nil, err
		}
		if _, err := r.do(ctx, c); err != nil {
			return nil, err
		}
		return map[string]any{"ok": true, "ts": ""}, nil
	}
	if _, err := r.secretURL(); err == nil {
		return nil, fmt.Errorf("the step names a channel, so the secret %s must be a bot token (xoxb-...), but it is a web address; remove `channel` to post through that webhook", r.integration.Secret)
	}
	msg["channel"] = channel
	c := &Call{Method: http.MethodPost, URL: r.integrationURL("/api/chat.postMessage"), Header: http.Header{}}
	c.Header.Set("Authorization", "Bearer "+r.secret)
	if err := c.setBody(msg); err != nil {
		return nil, err
	}
	c.Header.Set("Content-Type", "application/json; charset=utf-8")
	reply, err := r.do(ctx, c)
	if err != nil {
		return nil, err
	}
	var answer struct {
		OK    bool   `json:"ok"`
		Error string `json:"error"`
		TS    string `json:"ts"`
	}
	if err := json.Unmarshal(reply.Body, &answer); err != nil || !answer.OK {
		return nil, fmt.Errorf("the Slack API refused the message: %s", answer.Error)
	}
	return map[string]any{"ok": true, "ts": answer.TS}, nil
}

// runTeamsPostCard posts an Adaptive Card through the Teams workflow
// webhook in the secret.
func runTeamsPostCard(ctx context.Context, r *actionRun) (map[string]any, error) {
	u, err := r.secretURL()
	if err != nil {
		return nil, err
	}
	body := []any{map[string]any{"type": "TextBlock", "text": r.text("title"), "weight": "Bolder", "size": "Medium", "wrap": true}}
	if text := r.text("text"); text != "" {
		body = append(body, map[string]any{"type": "TextBlock", "text": text, "wrap": true})
	}
	if facts, ok := r.args["facts"].(map[string]any); ok && len(facts) > 0 {
		names := make([]string, 0, len(facts))
		for k := range facts {
			names = append(names, k)
		}
		sort.Strings(names)
		var list []any
		for _, k := range names {
			list = append(list, map[string]any{"title": k, "value": stringify(facts[k])})
		}
		body = append(body, map[string]any{"type": "FactSet", "facts": list})
	}
	card := map[string]any{"$schema": "http://adaptivecards.io/schemas/adaptive-card.json", "type": "AdaptiveCard", "version": "1.4", "body": body}
	if link := r.text("link"); link != "" {
		card["actions"] = []any{map[string]any{"type": "Action.OpenUrl", "title": "Open", "url": link}}
	}
	c := &Call{Method: http.MethodPost, URL: u}
	if err := c.setBody(map[string]any{"type": "message", "attachments": []any{
		map[string]any{"contentType": "application/vnd.microsoft.card.adaptive", "content": card}}}); err != nil {
		return nil, err
	}
	if _, err := r.do(ctx, c); err != nil {
		return nil, err
	}
	return map[string]any{"ok": true}, nil
}

// secretURL reads the integration's secret as a web address.
func (r *actionRun) secretURL() (*url.URL, error) {
	u, err := url.Parse(r.secret)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("the secret %s of integration %s is not a web address (https://...)", r.integration.Secret, r.integration.Name)
	}
	return u, nil
}

// integrationURL is an address on the integration's host: https, or http
// for a host declared by address (a receiver on a private network).
func (r *actionRun) integrationURL(path string) *url.URL {
	scheme := "https"
	if isAddress(r.integration.Host) {
		scheme = "http"
	}
	return &url.URL{Scheme: scheme, Host: r.integration.Host, Path: path}
}
