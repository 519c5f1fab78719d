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
	"sort"
	"strings"
	"sync"
	"unicode"
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

// CheckPasswordPolicy rejects passwords that are too short or too long, that
// zxcvbn estimates as guessable (score below 3 of 4), or that are guessable
// once the context words are taken out: the words of the user's own email
// (local part and domain) and name, "qlibpro" and the words of the published
// demo password. The published demo password itself is refused outright.
// The message is shown next to the field.
func CheckPasswordPolicy(password string, userInputs ...string) error {
	if err := checkPasswordLength(password); err != nil {
		return err
	}
	if alnumLower(password) == alnumLower(DemoPassword) {
		return apperr.FieldError("password", "This is the published demo password. Choose your own.")
	}
	// zxcvbn's cost grows with length; its verdict on the first 64 characters
	// is the one that matters (longer passwords only get stronger).
	sample := password
	if len(sample) > 64 {
		sample = string([]rune(sample)[:64])
	}
	words := contextWords(userInputs)
	weak := zxcvbn.PasswordStrength(sample, words).Score < 3
	if !weak {
		// zxcvbn scores "qlibpro2026qlibpro" or "quartermainzebedee" for
		// Zebedee Quartermain as strong enough; without its context words
		// such a password is "2026" or nothing. What is left must be strong.
		weak = zxcvbn.PasswordStrength(withoutWords(strings.ToLower(sample), words), words).Score < 3
	}
	if weak {
		return apperr.FieldError("password", "This password is too easy to guess (it is common, or close to your name, your email or Qlib Pro). Try a longer phrase of unrelated words.")
	}
	return nil
}

func checkPasswordLength(password string) error {
	n := utf8.RuneCountInString(password)
	switch {
	case n < MinPasswordLen:
		return apperr.FieldError("password", "Use at least %d characters.", MinPasswordLen)
	case n > MaxPasswordLen:
		return apperr.FieldError("password", "Use at most %d characters.", MaxPasswordLen)
	case !utf8.ValidString(password):
		return apperr.FieldError("password", "The password is not valid text.")
	}
	return nil
}

// serviceWords are context words for every user: the product's name and the
// words of the published demo password.
var serviceWords = []string{"qlibpro", "qlib", "demo", "trader"}

// contextWords are the lower-case words a password must not lean on: the
// service words, and each user input whole and in words, an email as its
// local part, the local part's words and the domain's words. Words shorter
// than 3 characters (and domain labels shorter than 4, such as com or au)
// are left out: they would only blunt zxcvbn's estimate of unrelated
// passwords.
func contextWords(userInputs []string) []string {
	seen := map[string]bool{}
	var out []string
	add := func(w string, min int) {
		if utf8.RuneCountInString(w) >= min && !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	for _, w := range serviceWords {
		add(w, 3)
	}
	for _, in := range userInputs {
		in = strings.ToLower(strings.TrimSpace(in))
		local, domain, isEmail := strings.Cut(in, "@")
		add(local, 3)
		for _, w := range splitWords(local) {
			add(w, 3)
		}
		if isEmail {
			for _, w := range splitWords(domain) {
				add(w, 4)
			}
		}
	}
	// Longest first, so that withoutWords takes "qlibpro" out before "qlib".
	sort.SliceStable(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out
}

func splitWords(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// withoutWords is s with every occurrence of each word taken out.
func withoutWords(s string, words []string) string {
	for _, w := range words {
		s = strings.ReplaceAll(s, w, "")
	}
	return s
}

// alnumLower keeps only the letters and digits of s, lower-cased, so that
// "Qlibpro-Demo-Trader-2026" compares equal to the demo password.
func alnumLower(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return unicode.ToLower(r)
		}
		return -1
	}, s)
}
