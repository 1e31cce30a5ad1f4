package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"

	"github.com/runwayhq/runway"
)

// Teams posts notices to a Microsoft Teams channel through a webhook (a
// Workflows "post to a channel when a webhook request is received" flow,
// or a legacy incoming webhook), as an Adaptive Card.
type Teams struct {
	// WebhookURL is a secret: whoever has it can post to the channel.
	WebhookURL string
	// HTTP is the client (default: egress.NewClient with default options).
	HTTP *http.Client
}

// Name returns "teams".
func (t *Teams) Name() string { return "teams" }

// Send posts n as an Adaptive Card. It returns EINVALID when Teams
// refused the message or the configuration is wrong, any other error when
// a retry may succeed.
func (t *Teams) Send(ctx context.Context, n runway.Notice) error {
	if _, ok := webURL(t.WebhookURL); !ok {
		return permanent("the Teams webhook URL is not an http(s) URL: copy it again from the channel's Workflows or connector settings")
	}
	body, err := json.Marshal(teamsMessage(n))
	if err != nil {
		return permanent("encode the Teams message: %v", err)
	}
	const dest = "the Teams webhook"
	secrets := urlSecrets(t.WebhookURL)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.WebhookURL, bytes.NewReader(body))
	if err != nil {
		return sendError(dest, err, secrets...)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client(t.HTTP).Do(req)
	if err != nil {
		return sendError(dest, err, secrets...)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	switch {
	case resp.StatusCode/100 != 2: // Workflows answer 202, legacy connectors 200
		return statusError(dest, resp.StatusCode)
	case bytes.HasPrefix(answer, []byte("Webhook message delivery failed")):
		// Legacy connectors answer 200 and say in the body that the
		// channel did not get the message.
		return &transient{msg: dest + " accepted the message but could not deliver it: " +
			redact(truncate(strings.TrimSpace(string(answer)), 200), secrets)}
	}
	return nil
}

// An Adaptive Card in the envelope Teams webhooks take.
type (
	teamsEnvelope struct {
		Type        string            `json:"type"`
		Attachments []teamsAttachment `json:"attachments"`
	}
	teamsAttachment struct {
		ContentType string    `json:"contentType"`
		ContentURL  *string   `json:"contentUrl"`
		Content     teamsCard `json:"content"`
	}
	teamsCard struct {
		Schema  string         `json:"$schema"`
		Type    string         `json:"type"`
		Version string         `json:"version"`
		Body    []teamsElement `json:"body"`
		Actions []teamsAction  `json:"actions,omitempty"`
		MSTeams map[string]any `json:"msteams,omitempty"`
	}
	// teamsElement is a TextBlock or a FactSet.
	teamsElement struct {
		Type     string      `json:"type"`
		Text     string      `json:"text,omitempty"`
		Size     string      `json:"size,omitempty"`
		Weight   string      `json:"weight,omitempty"`
		IsSubtle bool        `json:"isSubtle,omitempty"`
		Wrap     bool        `json:"wrap,omitempty"`
		Facts    []teamsFact `json:"facts,omitempty"`
	}
	teamsFact struct {
		Title string `json:"title"`
		Value string `json:"value"`
	}
	teamsAction struct {
		Type  string `json:"type"`
		Title string `json:"title"`
		URL   string `json:"url"`
	}
)

// teamsMessage builds the card for n.
func teamsMessage(n runway.Notice) teamsEnvelope {
	body := []teamsElement{{Type: "TextBlock", Text: orDefault(n.Title, "Runway notice"), Size: "Large", Weight: "Bolder", Wrap: true}}
	if f := facts(n); len(f) > 0 {
		set := teamsElement{Type: "FactSet"}
		for _, x := range f {
			set.Facts = append(set.Facts, teamsFact{x.Label, x.Value})
		}
		body = append(body, set)
	}
	for _, line := range n.Text {
		if strings.TrimSpace(line) != "" {
			body = append(body, teamsElement{Type: "TextBlock", Text: line, Wrap: true})
		}
	}
	for _, line := range []string{findingsLine(n.Findings), sbomLine(n)} {
		if line != "" {
			body = append(body, teamsElement{Type: "TextBlock", Text: line, IsSubtle: true, Wrap: true})
		}
	}
	card := teamsCard{
		Schema:  "http://adaptivecards.io/schemas/adaptive-card.json",
		Type:    "AdaptiveCard",
		Version: "1.4",
		Body:    body,
		MSTeams: map[string]any{"width": "Full"},
	}
	if _, ok := webURL(n.URL); ok {
		card.Actions = []teamsAction{{Type: "Action.OpenUrl", Title: "Review in Runway", URL: n.URL}}
	}
	return teamsEnvelope{
		Type:        "message",
		Attachments: []teamsAttachment{{ContentType: "application/vnd.microsoft.card.adaptive", Content: card}},
	}
}
