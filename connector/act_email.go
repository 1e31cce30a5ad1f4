package connector

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/url"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"github.com/google/cel-go/common/types"
)

var emailSend = &action{
	name: "email.send",
	params: []param{{"from", textParam}, {"to", textListParam}, {"subject", textParam}, {"text", textParam},
		{"reply_to", textParam}},
	integration: "email",
	secret:      requiredSecret,
	output:      []field{{"ok", types.BoolType}, {"message_id", types.StringType}},
	run:         runEmailSend,
}

// mailMessage is an email ready to send: the envelope and the message.
type mailMessage struct {
	from string
	to   []string
	data []byte
}

func runEmailSend(ctx context.Context, r *actionRun) (map[string]any, error) {
	u, err := url.Parse(r.secret)
	if err != nil || u.Host == "" || (u.Scheme != "smtp" && u.Scheme != "smtps") {
		return nil, fmt.Errorf("the secret %s of integration %s is not a mail server address (smtp://user:password@host:587 or smtps://...:465)", r.integration.Secret, r.integration.Name)
	}
	from, err := mail.ParseAddress(r.text("from"))
	if err != nil {
		return nil, fmt.Errorf("from `%s` is not an email address", r.text("from"))
	}
	var to []*mail.Address
	for _, s := range textList(r.args["to"]) {
		a, err := mail.ParseAddress(s)
		if err != nil {
			return nil, fmt.Errorf("to `%s` is not an email address", s)
		}
		to = append(to, a)
	}
	if len(to) == 0 {
		return nil, errors.New("to names nobody")
	}
	subject := r.text("subject")
	if strings.ContainsAny(subject, "\r\n") {
		return nil, errors.New("the subject has a line break; write it on one line")
	}
	id := "<" + r.key + "@runway.connector>"
	msg := &mailMessage{from: from.Address}
	var h bytes.Buffer
	fmt.Fprintf(&h, "From: %s\r\nTo: %s\r\n", from, addressList(to))
	if rt := r.text("reply_to"); rt != "" {
		a, err := mail.ParseAddress(rt)
		if err != nil {
			return nil, fmt.Errorf("reply_to `%s` is not an email address", rt)
		}
		fmt.Fprintf(&h, "Reply-To: %s\r\n", a)
	}
	fmt.Fprintf(&h, "Subject: %s\r\nDate: %s\r\nMessage-ID: %s\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n",
		mime.QEncoding.Encode("utf-8", subject), r.e.engine.o.Now().Format(time.RFC1123Z), id)
	qp := quotedprintable.NewWriter(&h)
	qp.Write([]byte(strings.ReplaceAll(strings.ReplaceAll(r.text("text"), "\r\n", "\n"), "\n", "\r\n")))
	qp.Close()
	msg.data = h.Bytes()
	for _, a := range to {
		msg.to = append(msg.to, a.Address)
	}
	c := &Call{Method: "SEND", URL: &url.URL{Scheme: u.Scheme, Host: u.Host}, conn: r.secret, mail: msg,
		Body: map[string]any{"from": from.String(), "to": stringsToAny(msg.to), "subject": subject, "text": r.text("text")}}
	if _, err := r.do(ctx, c); err != nil {
		return nil, err
	}
	return map[string]any{"ok": true, "message_id": id}, nil
}

// send delivers an email: TLS from the start (smtps) or STARTTLS (smtp);
// a connection without TLS only to a server declared by address.
func (o *netOutbound) send(ctx context.Context, c *Call) (*Reply, error) {
	u, _ := url.Parse(c.conn)
	host, port := u.Hostname(), u.Port()
	if port == "" {
		port = map[string]string{"smtp": "587", "smtps": "465"}[u.Scheme]
	}
	conn, err := o.dial(ctx, "tcp", net.JoinHostPort(host, port))
	if err != nil {
		return nil, netError(host, err)
	}
	if d, ok := ctx.Deadline(); ok {
		conn.SetDeadline(d)
	}
	tlsConf := &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	var cl *smtp.Client
	switch {
	case u.Scheme == "smtps":
		cl = smtp.NewClient(tls.Client(conn, tlsConf))
	case isAddress(host):
		// A server declared by address is on a network the app's owners
		// vouched for, and has no name a certificate could prove.
		cl = smtp.NewClient(conn)
	default:
		if cl, err = smtp.NewClientStartTLS(conn, tlsConf); err != nil {
			conn.Close()
			return nil, fmt.Errorf("%s did not set up an encrypted connection (STARTTLS): %v", host, err)
		}
	}
	defer cl.Close()
	if pw, ok := u.User.Password(); ok {
		if err := cl.Auth(sasl.NewPlainClient("", u.User.Username(), pw)); err != nil {
			return nil, smtpError(host, err)
		}
	}
	if err := cl.SendMail(c.mail.from, c.mail.to, bytes.NewReader(c.mail.data)); err != nil {
		return nil, smtpError(host, err)
	}
	cl.Quit()
	return &Reply{Status: 250}, nil
}

// smtpError explains a refusal by the mail server; a temporary one (4xx)
// means the mail was not accepted, so it may be sent again.
func smtpError(host string, err error) error {
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		e := fmt.Errorf("%s refused the email: %d %s", host, se.Code, se.Message)
		if se.Code >= 400 && se.Code < 500 {
			return &transient{err: e, sure: true}
		}
		return e
	}
	return &transient{err: fmt.Errorf("the email to %s failed: %v", host, err)}
}

func addressList(as []*mail.Address) string {
	s := make([]string, len(as))
	for i, a := range as {
		s[i] = a.String()
	}
	return strings.Join(s, ", ")
}

// textList reads one text or a list of them.
func textList(v any) []string {
	if l, ok := v.([]any); ok {
		out := make([]string, 0, len(l))
		for _, x := range l {
			out = append(out, stringify(x))
		}
		return out
	}
	if s := stringify(v); s != "" {
		return []string{s}
	}
	return nil
}

func stringsToAny(s []string) []any {
	out := make([]any, len(s))
	for i, x := range s {
		out[i] = x
	}
	return out
}
