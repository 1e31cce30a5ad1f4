package egress

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/runwayhq/runway"
)

func TestGuardControl(t *testing.T) {
	t.Parallel()
	tests := []struct {
		host, addr string
		opts       Options
		refused    string // part of the refusal; "" when allowed
	}{
		{"example.com", "93.184.216.34:80", Options{}, ""},
		{"example.com", "[2606:2800:220:1:248:1893:25c8:1946]:443", Options{}, ""},
		{"127.0.0.1", "127.0.0.1:80", Options{}, "loopback"},
		{"localhost", "[::1]:80", Options{}, "loopback"},
		{"internal.example", "10.0.0.1:80", Options{}, "private network"},
		{"internal.example", "172.16.5.4:80", Options{}, "private network"},
		{"internal.example", "192.168.1.1:80", Options{}, "private network"},
		{"internal.example", "[fd00::1]:80", Options{}, "private network"},
		{"metadata.example", "169.254.169.254:80", Options{}, "cloud metadata"},
		{"internal.example", "[fe80::1%eth0]:80", Options{}, "link-local"},
		{"rebound.example", "[::ffff:127.0.0.1]:80", Options{}, "loopback"},
		{"rebound.example", "[::ffff:169.254.169.254]:80", Options{}, "cloud metadata"},
		{"rebound.example", "[64:ff9b::a00:1]:80", Options{}, "behind NAT64"},
		{"cgnat.example", "100.64.0.1:80", Options{}, "carrier-grade NAT"},
		{"zero.example", "0.0.0.0:80", Options{}, "unspecified"},
		{"zero.example", "0.1.2.3:80", Options{}, "this network"},
		{"zero.example", "[::]:80", Options{}, "unspecified"},
		{"multicast.example", "224.0.0.1:80", Options{}, "multicast"},
		{"reserved.example", "240.0.0.1:80", Options{}, "reserved"},
		{"internal.example", "10.0.0.1:80", Options{AllowPrivate: true}, ""},
		{"internal.example", "10.0.0.1:80", Options{AllowHosts: []string{"Internal.Example."}}, ""},
		{"other.example", "10.0.0.1:80", Options{AllowHosts: []string{"internal.example"}}, "private network"},
		{"internal.example", "10.0.0.1:80", Options{AllowHosts: []string{"10.0.0.0/8"}}, ""},
		{"internal.example", "[::ffff:10.0.0.1]:80", Options{AllowHosts: []string{"10.0.0.0/8"}}, ""},
		{"internal.example", "10.0.0.1:80", Options{AllowHosts: []string{"10.0.0.1"}}, ""},
		{"internal.example", "10.0.0.2:80", Options{AllowHosts: []string{"10.0.0.1"}}, "private network"},
		{"metadata.example", "169.254.169.254:80", Options{AllowHosts: []string{"10.0.0.0/8"}}, "cloud metadata"},
	}
	for _, tt := range tests {
		t.Run(tt.host+"/"+tt.addr, func(t *testing.T) {
			err := newGuard(tt.opts).control(tt.host)("tcp", tt.addr, nil)
			if tt.refused == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if runway.ErrorCode(err) != runway.EINVALID {
				t.Fatalf("err = %v, want a refusal (EINVALID)", err)
			}
			for _, want := range []string{tt.refused, tt.host, "allow_private_hosts"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("refusal %q does not say %q", err, want)
				}
			}
		})
	}
}

func TestOptionsCheck(t *testing.T) {
	t.Parallel()
	for _, h := range []string{"hooks.internal.example", "10.0.0.1", "fd00::1", "10.0.0.0/8", "fd00::/8"} {
		if err := (Options{AllowHosts: []string{h}}).Check(); err != nil {
			t.Errorf("Check(%q) = %v", h, err)
		}
	}
	for _, h := range []string{"10.0.0.0/33", "", "host:8080", "user@host", "a b"} {
		if err := (Options{AllowHosts: []string{h}}).Check(); runway.ErrorCode(err) != runway.EINVALID {
			t.Errorf("Check(%q) = %v, want EINVALID", h, err)
		}
	}
}

// get fetches u with c and returns the body.
func get(c *http.Client, u string) (string, error) {
	resp, err := c.Get(u)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

func TestClientLoopback(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "hello") }))
	t.Cleanup(srv.Close)
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))

	_, err := get(NewClient(Options{}), srv.URL)
	if runway.ErrorCode(err) != runway.EINVALID || !strings.Contains(err.Error(), "loopback") {
		t.Errorf("default client: err = %v, want a refusal", err)
	}
	for name, o := range map[string]Options{
		"AllowPrivate":     {AllowPrivate: true},
		"allowed address":  {AllowHosts: []string{"127.0.0.1"}},
		"allowed prefix":   {AllowHosts: []string{"127.0.0.0/8"}},
		"allowed by name ": {AllowHosts: []string{"localhost"}},
	} {
		u := srv.URL
		if name == "allowed by name " {
			u = "http://localhost:" + port
		}
		if body, err := get(NewClient(o), u); err != nil || body != "hello" {
			t.Errorf("%s: got %q, %v", name, body, err)
		}
	}
}

func TestClientRedirects(t *testing.T) {
	t.Parallel()
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "internal") }))
	t.Cleanup(target.Close)
	var hops atomic.Int32
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/to-loopback":
			http.Redirect(w, r, target.URL, http.StatusFound)
		case "/to-file":
			http.Redirect(w, r, "file:///etc/passwd", http.StatusFound)
		case "/loop":
			hops.Add(1)
			http.Redirect(w, r, "/loop", http.StatusFound)
		case "/twice":
			http.Redirect(w, r, "/once", http.StatusFound)
		case "/once":
			http.Redirect(w, r, "/done", http.StatusFound)
		case "/done":
			_, _ = io.WriteString(w, "done")
		}
	}))
	t.Cleanup(front.Close)
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(front.URL, "http://"))
	// "localhost" plays a public host the operator allowed; the redirect
	// goes to 127.0.0.1, which is not allowed.
	c := NewClient(Options{AllowHosts: []string{"localhost"}})
	base := "http://localhost:" + port

	if body, err := get(c, base+"/twice"); err != nil || body != "done" {
		t.Errorf("two redirects: got %q, %v", body, err)
	}
	_, err := get(c, base+"/to-loopback")
	if runway.ErrorCode(err) != runway.EINVALID || !strings.Contains(err.Error(), "127.0.0.1") {
		t.Errorf("redirect to loopback: err = %v, want a refusal naming 127.0.0.1", err)
	}
	if _, err := get(c, base+"/to-file"); runway.ErrorCode(err) != runway.EINVALID {
		t.Errorf("redirect to file: err = %v, want EINVALID", err)
	}
	if _, err := get(c, base+"/loop"); runway.ErrorCode(err) != runway.EINVALID || hops.Load() != 4 {
		t.Errorf("redirect loop: err = %v after %d requests, want EINVALID after 4", err, hops.Load())
	}
}
