package notify

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestTeamsSend(t *testing.T) {
	t.Parallel()
	var got struct {
		Type        string
		Attachments []struct {
			ContentType string
			Content     struct {
				Type    string
				Version string
				Body    []struct {
					Type  string
					Text  string
					Facts []struct{ Title, Value string }
				}
				Actions []struct{ Type, Title, URL string }
			}
		}
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Content-Type") != "application/json" {
			w.WriteHeader(http.StatusUnsupportedMediaType)
			return
		}
		if err := json.NewDecoder(r.Body).Decode(&got); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusAccepted) // as Workflows webhooks do
	}))
	t.Cleanup(srv.Close)
	tm := &Teams{WebhookURL: srv.URL + "/workflows/abc/triggers/manual/paths/invoke?sig=SECRETsig", HTTP: loopbackClient()}
	if err := tm.Send(context.Background(), sampleNotice()); err != nil {
		t.Fatal(err)
	}
	if got.Type != "message" || len(got.Attachments) != 1 {
		t.Fatalf("envelope = %+v", got)
	}
	a := got.Attachments[0]
	c := a.Content
	if a.ContentType != "application/vnd.microsoft.card.adaptive" || c.Type != "AdaptiveCard" || c.Version != "1.4" {
		t.Errorf("attachment = %s %s %s", a.ContentType, c.Type, c.Version)
	}
	if len(c.Body) < 2 || c.Body[0].Text != sampleNotice().Title || c.Body[1].Type != "FactSet" || len(c.Body[1].Facts) != 5 {
		t.Errorf("body = %+v", c.Body)
	}
	if len(c.Actions) != 1 || c.Actions[0].Type != "Action.OpenUrl" || c.Actions[0].Title != "Review in Runway" || c.Actions[0].URL != sampleNotice().URL {
		t.Errorf("actions = %+v", c.Actions)
	}
}

func TestTeamsAnswers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		status int
		body   string
		want   string
	}{
		{"200", http.StatusOK, "1", "ok"},
		{"202", http.StatusAccepted, "", "ok"},
		{"204", http.StatusNoContent, "", "ok"},
		{"302 without Location", http.StatusFound, "", "permanent"},
		{"400", http.StatusBadRequest, "Bad payload", "permanent"},
		{"404", http.StatusNotFound, "", "permanent"},
		{"408", http.StatusRequestTimeout, "", "transient"},
		{"429", http.StatusTooManyRequests, "", "transient"},
		{"500", http.StatusInternalServerError, "", "transient"},
		{"502", http.StatusBadGateway, "", "transient"},
		{"legacy failure", http.StatusOK, "Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 429 with ContextId tcid=0", "transient"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tt.status)
				_, _ = io.WriteString(w, tt.body)
			}))
			t.Cleanup(srv.Close)
			tm := &Teams{WebhookURL: srv.URL + "/webhookb2/SECRET", HTTP: loopbackClient()}
			wantKind(t, tm.Send(context.Background(), sampleNotice()), tt.want)
		})
	}
}
