package auth

import (
	"context"
	"encoding/json"
	"strings"
	"unicode/utf8"

	"github.com/qlibpro/qlibpro/db"
)

// Meta describes the request behind a security event.
type Meta struct {
	IP        string
	UserAgent string
	RequestID string
}

// Audit event names.
const (
	EventSignIn         = "sign_in"
	EventSignInFailed   = "sign_in_failed"
	EventSignInLocked   = "sign_in_locked"
	EventSignOut        = "sign_out"
	EventRegister       = "register"
	EventSignUpRequest  = "signup_requested"
	EventPasswordChange = "password_change"
	EventPasswordReset  = "password_reset"
	EventResetRequested = "password_reset_requested"
	EventRoleChange     = "role_change"
	EventDisable        = "account_disabled"
	EventEnable         = "account_enabled"
	EventKeyCreate      = "api_key_created"
	EventKeyRevoke      = "api_key_revoked"
	EventTokenLogin     = "api_login"
	EventDelete         = "account_deleted"
	EventSessionEnd     = "session_ended"
	EventProfileChange  = "profile_change"
)

// Audit writes one event of another area to the audit log (an admin posting a
// notice, say), with q the transaction of the change it records; userID
// and actorID may be 0.
func Audit(ctx context.Context, q *db.Queries, m Meta, event string, userID, actorID int64, detail map[string]any) error {
	return audit(ctx, q, m, event, userID, actorID, detail)
}

// audit writes one security event with q, which should be the transaction of
// the change it records. userID and actorID may be 0 (unknown / the user).
func audit(ctx context.Context, q *db.Queries, m Meta, event string, userID, actorID int64, detail map[string]any) error {
	if detail == nil {
		detail = map[string]any{}
	}
	b, err := json.Marshal(detail)
	if err != nil {
		return err
	}
	return q.InsertAuditEvent(ctx, db.InsertAuditEventParams{
		UserID: ptrOrNil(userID), ActorID: ptrOrNil(actorID), Event: event,
		Ip: cleanText(m.IP, 64), UserAgent: cleanText(m.UserAgent, 512), RequestID: cleanText(m.RequestID, 64), Detail: b,
	})
}

// cleanText makes request-supplied text storable: valid UTF-8 without NUL,
// cut to at most max bytes on a character boundary.
func cleanText(s string, max int) string {
	s = strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}

func ptrOrNil(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}
