package notify

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/egress"
)

const testWebhookSecret = "whsec-SECRET-0123456789"

// receiver is a webhook receiver that checks requests as the
// documentation tells users to.
type receiver struct {
	*httptest.Server
	mu         sync.Mutex
	deliveries []string // X-Runway-Delivery of each verified request
	notices    []runway.Notice
	status     int // answer after a verified request (default 204)
	verifyErr  error
}

func newReceiver(t *testing.T, now time.Time) *receiver {
	rc := &receiver{status: http.StatusNoContent}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		defer rc.mu.Unlock()
		if err := VerifyWebhook(r.Header, body, testWebhookSecret, now); err != nil {
			rc.verifyErr = err
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		var got struct {
			ID     string
			Notice runway.Notice
		}
		if err := json.Unmarshal(body, &got); err != nil || got.ID != r.Header.Get("X-Runway-Delivery") ||
			r.Header.Get("X-Runway-Event") != string(got.Notice.Kind) || r.Header.Get("Content-Type") != "application/json" {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		rc.deliveries = append(rc.deliveries, got.ID)
		rc.notices = append(rc.notices, got.Notice)
		w.WriteHeader(rc.status)
	}))
	t.Cleanup(rc.Close)
	return rc
}

func TestWebhookSend(t *testing.T) {
	t.Parallel()
	now := time.Unix(1767225600, 0)
	rc := newReceiver(t, now)
	w := &Webhook{Label: "audit", URL: rc.URL + "/hooks/runway?token=SECRETquery", Secret: testWebhookSecret,
		HTTP: loopbackClient(), Now: func() time.Time { return now }}
	if w.Name() != "webhook:audit" {
		t.Errorf("Name() = %q", w.Name())
	}
	n := sampleNotice()
	for range 2 { // a retry of the same delivery
		if err := w.Send(context.Background(), n); err != nil {
			t.Fatal(err)
		}
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.verifyErr != nil {
		t.Fatalf("the receiver could not verify the request: %v", rc.verifyErr)
	}
	if len(rc.deliveries) != 2 || rc.deliveries[0] != rc.deliveries[1] || rc.deliveries[0] != DeliveryID("webhook:audit", n) {
		t.Errorf("deliveries = %q, want twice %q", rc.deliveries, DeliveryID("webhook:audit", n))
	}
	if diff := cmp.Diff(n, rc.notices[0]); diff != "" {
		t.Errorf("notice (-sent +received):\n%s", diff)
	}
}

func TestDeliveryID(t *testing.T) {
	t.Parallel()
	n := sampleNotice()
	data, _ := json.Marshal(n)
	var back runway.Notice
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if DeliveryID("webhook:a", n) != DeliveryID("webhook:a", back) {
		t.Error("the delivery ID changed when the notice went through JSON, as it does in the job queue")
	}
	later := n
	later.At = n.At.Add(time.Second)
	for name, id := range map[string]string{"another channel": DeliveryID("webhook:b", n), "another notice": DeliveryID("webhook:a", later)} {
		if id == DeliveryID("webhook:a", n) {
			t.Errorf("%s has the same delivery ID", name)
		}
	}
}

func TestWebhookAnswers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status int
		want   string
	}{
		{200, "ok"}, {202, "ok"}, {204, "ok"},
		{400, "permanent"}, {401, "permanent"}, {404, "permanent"}, {410, "permanent"}, {422, "permanent"},
		{408, "transient"}, {429, "transient"}, {500, "transient"}, {502, "transient"}, {503, "transient"},
	}
	now := time.Unix(1767225600, 0)
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.status), func(t *testing.T) {
			t.Parallel()
			rc := newReceiver(t, now)
			rc.mu.Lock()
			rc.status = tt.status
			rc.mu.Unlock()
			w := &Webhook{Label: "x", URL: rc.URL, Secret: testWebhookSecret, HTTP: loopbackClient(), Now: func() time.Time { return now }}
			wantKind(t, w.Send(context.Background(), sampleNotice()), tt.want)
		})
	}
	t.Run("receiver down", func(t *testing.T) {
		rc := newReceiver(t, now)
		rc.Close()
		w := &Webhook{Label: "x", URL: rc.URL, Secret: testWebhookSecret, HTTP: loopbackClient()}
		wantKind(t, w.Send(context.Background(), sampleNotice()), "transient")
	})
	t.Run("too slow", func(t *testing.T) {
		block := make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-block }))
		t.Cleanup(srv.Close)
		t.Cleanup(func() { close(block) })
		c := egress.NewClient(egress.Options{AllowPrivate: true, Timeout: 50 * time.Millisecond})
		w := &Webhook{Label: "x", URL: srv.URL, Secret: testWebhookSecret, HTTP: c}
		err := w.Send(context.Background(), sampleNotice())
		wantKind(t, err, "transient")
		if !strings.Contains(err.Error(), "did not answer in time") {
			t.Errorf("err = %v", err)
		}
	})
}

func TestWebhookConfig(t *testing.T) {
	t.Parallel()
	for name, w := range map[string]*Webhook{
		"no name":   {URL: "https://hooks.example.com/x", Secret: testWebhookSecret},
		"no URL":    {Label: "x", Secret: testWebhookSecret},
		"bad URL":   {Label: "x", URL: "file:///etc/passwd", Secret: testWebhookSecret},
		"no secret": {Label: "x", URL: "https://hooks.example.com/x"},
	} {
		t.Run(name, func(t *testing.T) {
			wantKind(t, w.Send(context.Background(), sampleNotice()), "permanent")
		})
	}
}

func TestVerifyWebhook(t *testing.T) {
	t.Parallel()
	now := time.Unix(1767225600, 0)
	body := []byte(`{"id":"abc","notice":{"kind":"approval.needed"}}`)
	sign := func(ts int64) http.Header {
		h := http.Header{}
		h.Set("X-Runway-Timestamp", strconv.FormatInt(ts, 10))
		h.Set("X-Runway-Signature", SignWebhook(testWebhookSecret, ts, body))
		return h
	}
	set := func(key, value string) http.Header {
		h := sign(now.Unix())
		if value == "" {
			h.Del(key)
		} else {
			h.Set(key, value)
		}
		return h
	}
	tests := []struct {
		name string
		h    http.Header
		body []byte
		want string
	}{
		{"valid", sign(now.Unix()), body, ""},
		{"tampered body", sign(now.Unix()), append([]byte(nil), append(body, ' ')...), "does not match"},
		{"timestamp changed", set("X-Runway-Timestamp", strconv.FormatInt(now.Unix()-1, 10)), body, "does not match"},
		{"301 s old", sign(now.Unix() - 301), body, "301 seconds ago"},
		{"301 s ahead", sign(now.Unix() + 301), body, "in the future"},
		{"no timestamp", set("X-Runway-Timestamp", ""), body, "no X-Runway-Timestamp"},
		{"no signature", set("X-Runway-Signature", ""), body, "no X-Runway-Signature"},
		{"other scheme", set("X-Runway-Signature", "sha1=00"), body, "not a sha256"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := VerifyWebhook(tt.h, tt.body, testWebhookSecret, now)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if runway.ErrorCode(err) != runway.EUNAUTHORIZED || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want EUNAUTHORIZED saying %q", err, tt.want)
			}
		})
	}
	// The documented recipe, checked with: printf %s.%s 1 b | openssl dgst -sha256 -hmac key
	if got := SignWebhook("key", 1, []byte("b")); got != "sha256=ac75094e6e04472ed13f55acc4c2c692a33eaa037ecc95f9779fc179733be167" {
		t.Errorf("SignWebhook = %s", got)
	}
}
