package notify

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// TestSendRefusesPrivate checks that channels refuse private addresses by
// default, permanently, without naming the secret URL.
func TestSendRefusesPrivate(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	t.Cleanup(srv.Close)
	hook := srv.URL + "/services/T1/B1/SECRETpath"
	for _, ch := range []Channel{
		&Slack{WebhookURL: hook},
		&Teams{WebhookURL: hook},
		&Webhook{Label: "x", URL: hook, Secret: testWebhookSecret},
	} {
		err := ch.Send(context.Background(), sampleNotice())
		wantKind(t, err, "permanent")
		u, _ := url.Parse(hook)
		if !strings.Contains(err.Error(), "allow_private_hosts") || strings.Contains(err.Error(), u.Path) {
			t.Errorf("%s: err = %v", ch.Name(), err)
		}
	}
}
