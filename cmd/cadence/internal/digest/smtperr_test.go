package digest

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/textproto"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cadence-dev/cadence/internal/store"
)

// TestSMTPRepliesAreNotEchoed: a server's reply can repeat what it was
// sent, the password included. The error, the log and the send log show
// what failed and the reply code, never the server's text.
func TestSMTPRepliesAreNotEchoed(t *testing.T) {
	base, cur, _ := example(t)
	tests := []struct {
		name, auth string
		setup      func(s *smtpServer)
		want       string
	}{
		{"AUTH PLAIN reply", "plain", func(s *smtpServer) {
			s.authReply = func(user, pass string) string {
				return "authentication failed for " + user + " with password " + pass + " (AUTH PLAIN " +
					base64.StdEncoding.EncodeToString([]byte("\x00"+user+"\x00"+pass)) + ")"
			}
		}, "SMTP AUTH failed: server replied 535 5.7.8"},
		{"AUTH LOGIN challenge", "login", func(s *smtpServer) { s.loginEcho = true },
			"SMTP AUTH failed: unexpected server response (its text is not shown)"},
		{"DATA reply", "plain", func(s *smtpServer) {
			s.failData = 100
			s.dataReply = "greylisted; by the way your password is " + s.pass
		}, "closing SMTP DATA writer: server replied 451 4.3.0 (temporary)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startSMTP(t, false)
			tt.setup(srv)
			cfg := smtpConfig(t, base, srv, "starttls", tt.auth, "")
			cfg.Digest.Retry.Attempts = 1
			st := openStore(t, filepath.Join(t.TempDir(), "state.db"))
			defer st.Close()
			var logs bytes.Buffer
			s := newService(t, cfg, cur, st, newFakeClock(pinned), &tls.Config{RootCAs: srv.roots}, nil, &logs, nil)
			_, err := s.SendNow(context.Background(), rootManager)
			if err == nil {
				t.Fatal("send succeeded")
			}
			rec, _ := st.DigestRecord(context.Background(), "2026-W48", rootManager)
			if rec == nil || rec.State != store.DigestFailed {
				t.Fatalf("send log %+v", rec)
			}
			secrets := []string{srv.pass, base64.StdEncoding.EncodeToString([]byte(srv.pass)), base64.StdEncoding.EncodeToString([]byte("\x00" + srv.user + "\x00" + srv.pass)), "your password"}
			for where, text := range map[string]string{"error": err.Error(), "log": logs.String(), "send log": rec.LastError} {
				for _, sec := range secrets {
					if strings.Contains(text, sec) {
						t.Errorf("the %s shows the server's text %q:\n%s", where, sec, text)
					}
				}
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.Contains(rec.LastError, tt.want) {
				t.Errorf("error %q\nsend log %q\nwant both to say %q", err, rec.LastError, tt.want)
			}
		})
	}
}

// TestSendFailureText: server text is replaced wherever it sits in the
// chain; cadence's own errors are kept, bounded, on one line.
func TestSendFailureText(t *testing.T) {
	reply := func(code int, msg string) error { return &textproto.Error{Code: code, Msg: msg} }
	long := strings.Repeat("x", 1000)
	tests := []struct {
		err  error
		want string
	}{
		{fmt.Errorf("dial failed: %w", fmt.Errorf("smtp: EHLO/HELO exchange failed. EHLO response: %w, HELO response: %w",
			reply(502, "5.5.1 EHLO s3cret"), reply(554, "s3cret"))),
			"dial failed: smtp: EHLO/HELO exchange failed. EHLO response: server replied 502 5.5.1, HELO response: server replied 554"},
		{errors.Join(fmt.Errorf("dial failed: %w", reply(421, "4.3.2 s3cret")), errors.New("failed to close connection: EOF")),
			"dial failed: server replied 421 4.3.2 (temporary) failed to close connection: EOF"},
		{fmt.Errorf("dial failed: %w", &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}),
			"dial failed: dial tcp: connection refused"},
		{errors.New(long), strings.Repeat("x", 297) + "..."},
		{errors.New("line\r\nbreak"), "line  break"},
	}
	for _, tt := range tests {
		if got := sendFailure(tt.err); got != tt.want {
			t.Errorf("sendFailure(%q)\n got %q\nwant %q", tt.err, got, tt.want)
		}
	}
}
