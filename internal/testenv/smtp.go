package testenv

import (
	"io"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Mail is one message the test SMTP server received.
type Mail struct {
	From string
	To   []string
	Data string
}

// SMTPServer is a real SMTP server in the test process that keeps what it
// receives. Point the mailer under test at Host and Port.
type SMTPServer struct {
	Host   string
	Port   int
	mu     sync.Mutex
	msgs   []Mail
	arrive chan struct{}
}

// NewSMTPServer starts an SMTP server on a loopback port for the test.
func NewSMTPServer(tb testing.TB) *SMTPServer {
	tb.Helper()
	s := &SMTPServer{arrive: make(chan struct{}, 100)}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &smtpSession{srv: s}, nil }))
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	tb.Cleanup(func() { _ = srv.Close() })
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	s.Host = host
	s.Port, _ = strconv.Atoi(port)
	return s
}

// Messages returns what has arrived so far.
func (s *SMTPServer) Messages() []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Mail(nil), s.msgs...)
}

// Wait returns the n-th message (1-based) once it arrives, failing the test after timeout.
func (s *SMTPServer) Wait(tb testing.TB, n int, timeout time.Duration) Mail {
	tb.Helper()
	deadline := time.After(timeout)
	for {
		if m := s.Messages(); len(m) >= n {
			return m[n-1]
		}
		select {
		case <-s.arrive:
		case <-deadline:
			tb.Fatalf("testenv: mail %d did not arrive within %s", n, timeout)
		}
	}
}

type smtpSession struct {
	srv  *SMTPServer
	mail Mail
}

func (s *smtpSession) Reset()        { s.mail = Mail{} }
func (s *smtpSession) Logout() error { return nil }
func (s *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	s.mail.From = from
	return nil
}
func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.mail.To = append(s.mail.To, to)
	return nil
}
func (s *smtpSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.mail.Data = string(b)
	s.srv.mu.Lock()
	s.srv.msgs = append(s.srv.msgs, s.mail)
	s.srv.mu.Unlock()
	select {
	case s.srv.arrive <- struct{}{}:
	default:
	}
	return nil
}
