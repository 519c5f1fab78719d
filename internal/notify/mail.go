// Package notify delivers messages to people: e-mail through SMTP, or, in
// development without SMTP_HOST, to the log, clearly labelled.
package notify

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"mime"
	"net"
	"net/mail"
	"net/smtp"
	"strconv"
	"strings"
	"time"
)

// SMTPConfig is where and how to send mail.
type SMTPConfig struct {
	Host     string
	Port     int
	Username string
	Password string
	From     string
	// InsecureSkipVerify is for tests with self-signed certificates only.
	InsecureSkipVerify bool
}

// SMTPMailer sends each message over a fresh SMTP connection, upgrading to TLS
// with STARTTLS when the server offers it, and authenticating only over TLS
// (or to localhost).
type SMTPMailer struct {
	cfg SMTPConfig
}

// NewSMTPMailer returns a mailer for cfg.
func NewSMTPMailer(cfg SMTPConfig) *SMTPMailer { return &SMTPMailer{cfg: cfg} }

// Send delivers one plain-text message.
func (m *SMTPMailer) Send(ctx context.Context, to, subject, body string) error {
	if _, err := mail.ParseAddress(to); err != nil || strings.ContainsAny(to, "\r\n") {
		return fmt.Errorf("bad recipient address")
	}
	addr := net.JoinHostPort(m.cfg.Host, strconv.Itoa(m.cfg.Port))
	d := net.Dialer{Timeout: 10 * time.Second}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("smtp dial %s: %w", addr, err)
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	} else {
		_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	}
	c, err := smtp.NewClient(conn, m.cfg.Host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("smtp greeting: %w", err)
	}
	defer c.Close()
	if err := c.Hello("qlibpro"); err != nil {
		return err
	}
	tlsOn := false
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(&tls.Config{ServerName: m.cfg.Host, InsecureSkipVerify: m.cfg.InsecureSkipVerify, MinVersion: tls.VersionTLS12}); err != nil { // #nosec G402 -- InsecureSkipVerify is set only by tests (self-signed local servers), never from configuration
			return fmt.Errorf("smtp starttls: %w", err)
		}
		tlsOn = true
	}
	if m.cfg.Username != "" {
		if !tlsOn && !isLocal(m.cfg.Host) {
			return fmt.Errorf("smtp server %s does not offer STARTTLS; refusing to send credentials in clear text", m.cfg.Host)
		}
		if err := c.Auth(smtp.PlainAuth("", m.cfg.Username, m.cfg.Password, m.cfg.Host)); err != nil {
			return fmt.Errorf("smtp auth: %w", err)
		}
	}
	if err := c.Mail(addressOnly(m.cfg.From)); err != nil {
		return err
	}
	if err := c.Rcpt(to); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(compose(m.cfg.From, to, subject, body)); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

func isLocal(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}

func addressOnly(from string) string {
	if a, err := mail.ParseAddress(from); err == nil {
		return a.Address
	}
	return from
}

// compose builds an RFC 5322 message with a UTF-8 plain-text body.
func compose(from, to, subject, body string) []byte {
	var b strings.Builder
	hdr := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	hdr("From", from)
	hdr("To", to)
	hdr("Subject", mime.QEncoding.Encode("utf-8", subject))
	hdr("Date", time.Now().UTC().Format(time.RFC1123Z))
	hdr("MIME-Version", "1.0")
	hdr("Content-Type", "text/plain; charset=utf-8")
	hdr("Content-Transfer-Encoding", "8bit")
	b.WriteString("\r\n")
	b.WriteString(strings.ReplaceAll(strings.ReplaceAll(body, "\r\n", "\n"), "\n", "\r\n"))
	return []byte(b.String())
}

// LogMailer writes messages to the log instead of sending them: development
// without SMTP_HOST. Nothing is dropped silently.
type LogMailer struct {
	Log *slog.Logger
}

// Send logs the whole message under a clear label.
func (m LogMailer) Send(_ context.Context, to, subject, body string) error {
	m.Log.Warn("EMAIL NOT SENT (SMTP_HOST is unset; development mail log)",
		slog.String("to", to), slog.String("subject", subject), slog.String("body", body))
	return nil
}
