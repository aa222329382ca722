package wire

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"
)

// Claims are what a join token grants: Player may join Room for Match
// until Expiry.
type Claims struct {
	Room   string `json:"r"`
	Player string `json:"p"`
	Match  string `json:"m"`
	Expiry int64  `json:"e"` // Unix milliseconds
}

// Token errors.
var (
	ErrMalformed = errors.New("malformed token")
	ErrSignature = errors.New("token signature does not match")
	ErrExpired   = errors.New("token expired")
)

var b64 = base64.RawURLEncoding

// Sign returns base64url(claims JSON) "." base64url(HMAC-SHA256).
func Sign(key []byte, c Claims) string {
	payload, _ := json.Marshal(c)
	p := b64.EncodeToString(payload)
	return p + "." + b64.EncodeToString(mac(key, p))
}

// Verify checks the signature before it reads the claims, then expiry.
// The caller checks that Room is its room.
func Verify(key []byte, token string, now time.Time) (Claims, error) {
	var c Claims
	p, sig, ok := strings.Cut(token, ".")
	if !ok || p == "" || sig == "" {
		return c, ErrMalformed
	}
	got, err := b64.DecodeString(sig)
	if err != nil {
		return c, ErrMalformed
	}
	if !hmac.Equal(got, mac(key, p)) {
		return c, ErrSignature
	}
	payload, err := b64.DecodeString(p)
	if err != nil || json.Unmarshal(payload, &c) != nil || c.Room == "" || c.Player == "" {
		return Claims{}, ErrMalformed
	}
	if now.UnixMilli() >= c.Expiry {
		return c, ErrExpired
	}
	return c, nil
}

func mac(key []byte, payload string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(payload))
	return h.Sum(nil)
}
