package connector

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// mailServer is a real SMTP server (go-smtp) on loopback that keeps what
// it receives and wants PLAIN authentication.
type mailServer struct {
	addr string
	mu   sync.Mutex
	got  []mailReceived
	user string
}

type mailReceived struct {
	from string
	to   []string
	data string
}

func newMailServer(t *testing.T) *mailServer {
	t.Helper()
	ms := &mailServer{}
	s := smtp.NewServer(ms)
	s.Domain, s.AllowInsecureAuth = "localhost", true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ms.addr = ln.Addr().String()
	go s.Serve(ln)
	t.Cleanup(func() { s.Close() })
	return ms
}

// NewSession implements smtp.Backend.
func (ms *mailServer) NewSession(*smtp.Conn) (smtp.Session, error) {
	return &mailSession{ms: ms}, nil
}

type mailSession struct {
	ms     *mailServer
	authed bool
	cur    mailReceived
}

func (s *mailSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *mailSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != "connector" || pass != "smtp-password-1" {
			return errors.New("bad credentials")
		}
		s.authed = true
		s.ms.mu.Lock()
		s.ms.user = user
		s.ms.mu.Unlock()
		return nil
	}), nil
}

func (s *mailSession) Mail(from string, _ *smtp.MailOptions) error {
	if !s.authed {
		return &smtp.SMTPError{Code: 530, Message: "authenticate first"}
	}
	s.cur.from = from
	return nil
}

func (s *mailSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.cur.to = append(s.cur.to, to)
	return nil
}

func (s *mailSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	s.cur.data = string(data)
	s.ms.mu.Lock()
	s.ms.got = append(s.ms.got, s.cur)
	s.ms.mu.Unlock()
	return err
}

func (s *mailSession) Reset()        { s.cur = mailReceived{} }
func (s *mailSession) Logout() error { return nil }

// TestEmailOverSMTP: email.send delivers to a real SMTP server with the
// credentials of the secret; a subject with a line break is refused.
func TestEmailOverSMTP(t *testing.T) {
	t.Parallel()
	ms := newMailServer(t)
	c := mustParse(t, `
trigger:
  http:
    path: /mail
    input: {properties: {name: {type: string}, subject: {type: string}}}
steps:
  - id: mail
    email.send:
      from: Forms <forms@example.com>
      to: [sales@example.com, "Ops <ops@example.com>"]
      subject: ${{ request.body.subject }}
      text: "Hello from ${{ request.body.name }}.\nBye."
`, app(integration("email", "127.0.0.1", "SMTP_URL")))
	e, err := NewEngine(c, fastOptions(Options{Secrets: secrets(map[string]string{"SMTP_URL": "smtp://connector:smtp-password-1@" + ms.addr})}))
	if err != nil {
		t.Fatal(err)
	}
	run := e.Run(context.Background(), jsonEvent("/mail", map[string]any{"name": "Zoë", "subject": "Bonjour Zoë"}))
	if run.Status != RunOK {
		t.Fatalf("run %s: %s", run.Status, run.Error)
	}
	ms.mu.Lock()
	got := ms.got
	ms.mu.Unlock()
	if len(got) != 1 || got[0].from != "forms@example.com" || strings.Join(got[0].to, ",") != "sales@example.com,ops@example.com" {
		t.Fatalf("server got %+v", got)
	}
	for _, want := range []string{"Subject: =?utf-8?q?Bonjour_Zo=C3=AB?=", "Message-ID: <", "@runway.connector>", "Hello from Zo=C3=AB.\r\nBye."} {
		if !strings.Contains(got[0].data, want) {
			t.Errorf("message lacks %q:\n%s", want, got[0].data)
		}
	}
	if data, _ := jsonString(run); strings.Contains(data, "smtp-password-1") {
		t.Errorf("the run record holds the password: %s", data)
	}
	run = e.Run(context.Background(), jsonEvent("/mail", map[string]any{"name": "x", "subject": "Hi\r\nBcc: all@example.com"}))
	if !strings.Contains(run.Error, "the subject has a line break") {
		t.Errorf("a subject with a line break: %s %s", run.Status, run.Error)
	}
}
