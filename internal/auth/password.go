// Package auth owns Qlib Pro's accounts: password hashing and policy, users,
// sign-in with brute-force throttling, API tokens, password resets, the
// session index and the security audit log.
package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/trustelem/zxcvbn"
	"golang.org/x/crypto/argon2"

	"github.com/qlibpro/qlibpro/internal/apperr"
)

// Argon2Params are the argon2id cost parameters. Defaults follow OWASP's
// minimum for argon2id: m = 19 MiB, t = 2, p = 1.
type Argon2Params struct {
	MemoryKiB uint32
	Time      uint32
	Threads   uint8
	SaltLen   uint32
	KeyLen    uint32
}

// DefaultArgon2 is the cost used for new hashes.
var DefaultArgon2 = Argon2Params{MemoryKiB: 19 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}

// Password length limits: no composition rules, no truncation; the upper bound
// only stops hashing huge inputs.
const (
	MinPasswordLen = 12
	MaxPasswordLen = 256
)

// HashPassword returns a PHC-formatted argon2id hash of password.
func HashPassword(password string, p Argon2Params) (string, error) {
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, p.KeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.MemoryKiB, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// ParseHash reads the parameters, salt and key from a PHC argon2id hash.
func ParseHash(encoded string) (Argon2Params, []byte, []byte, error) {
	var p Argon2Params
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return p, nil, nil, errors.New("not an argon2id hash")
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return p, nil, nil, errors.New("unsupported argon2 version")
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.MemoryKiB, &p.Time, &p.Threads); err != nil {
		return p, nil, nil, fmt.Errorf("argon2 parameters: %w", err)
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return p, nil, nil, err
	}
	key, err := b64.DecodeString(parts[5])
	if err != nil {
		return p, nil, nil, err
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(key))
	return p, salt, key, nil
}

// VerifyPassword reports whether password matches encoded, in constant time
// for a given hash.
func VerifyPassword(password, encoded string) bool {
	p, salt, key, err := ParseHash(encoded)
	if err != nil {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, p.KeyLen)
	return subtle.ConstantTimeCompare(got, key) == 1
}

// dummyHash is verified against when the email is unknown, so that unknown
// accounts and wrong passwords take comparable time.
var dummyHash = sync.OnceValue(func() string {
	h, _ := HashPassword("qlibpro timing equaliser", DefaultArgon2)
	return h
})

// CheckPasswordPolicy rejects passwords that are too short or too long, or
// that zxcvbn estimates as guessable (score below 3 of 4), taking the user's
// own email and name into account. The message is shown next to the field.
func CheckPasswordPolicy(password string, userInputs ...string) error {
	n := utf8.RuneCountInString(password)
	switch {
	case n < MinPasswordLen:
		return apperr.FieldError("password", "Use at least %d characters.", MinPasswordLen)
	case n > MaxPasswordLen:
		return apperr.FieldError("password", "Use at most %d characters.", MaxPasswordLen)
	case !utf8.ValidString(password):
		return apperr.FieldError("password", "The password is not valid text.")
	}
	// zxcvbn's cost grows with length; its verdict on the first 64 characters
	// is the one that matters (longer passwords only get stronger).
	sample := password
	if len(sample) > 64 {
		sample = string([]rune(sample)[:64])
	}
	var inputs []string
	for _, in := range userInputs {
		inputs = append(inputs, strings.ToLower(in))
		if local, _, ok := strings.Cut(in, "@"); ok {
			inputs = append(inputs, strings.ToLower(local))
		}
	}
	if r := zxcvbn.PasswordStrength(sample, inputs); r.Score < 3 {
		return apperr.FieldError("password", "This password is too easy to guess (it is common, or close to your name or email). Try a longer phrase of unrelated words.")
	}
	return nil
}
