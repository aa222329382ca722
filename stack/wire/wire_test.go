package wire

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestDecodeValid(t *testing.T) {
	for _, in := range []string{
		`{"type":"join","token":"a.b"}`,
		`{"type":"input","input":3,"data":"x"}`,
		`{"type":"reconnect","session":"s1","seq":42}`,
	} {
		if _, err := Decode([]byte(in)); err != nil {
			t.Errorf("Decode(%s): %v", in, err)
		}
	}
}

func TestDecodeRefusesWithField(t *testing.T) {
	for in, field := range map[string]string{
		`{"type":"join"}`:                       "token",
		`{"type":"input"}`:                      "input",
		`{"type":"reconnect","seq":1}`:          "session",
		`{"input":1}`:                           "type",
		`{"type":"state"}`:                      "type",
		`{"type":"input","input":"one"}`:        "input",
		`{"type":"join","token":"t","extra":1}`: "",
		`[1,2]`:                                 "",
		`{"type":"join","token":"t"} {}`:        "",
	} {
		_, err := Decode([]byte(in))
		var de *DecodeError
		if !errors.As(err, &de) || de.Field != field {
			t.Errorf("Decode(%s) = %v; want a DecodeError on field %q", in, err, field)
		}
	}
	big := `{"type":"input","input":1,"data":"` + strings.Repeat("x", MaxMessage) + `"}`
	if _, err := Decode([]byte(big)); err == nil || !strings.Contains(err.Error(), "limit") {
		t.Errorf("oversized message: %v", err)
	}
}

func TestTokens(t *testing.T) {
	key := []byte("k")
	now := time.UnixMilli(1_000_000)
	tok := Sign(key, Claims{Room: "r1", Player: "p1", Match: "m1", Expiry: now.Add(time.Minute).UnixMilli()})
	c, err := Verify(key, tok, now)
	if err != nil || c.Room != "r1" || c.Player != "p1" || c.Match != "m1" {
		t.Fatalf("Verify = %+v, %v", c, err)
	}
	if _, err := Verify(key, tok, now.Add(2*time.Minute)); !errors.Is(err, ErrExpired) {
		t.Errorf("expired token: %v", err)
	}
	if _, err := Verify([]byte("other"), tok, now); !errors.Is(err, ErrSignature) {
		t.Errorf("wrong key: %v", err)
	}
	p, sig, _ := strings.Cut(tok, ".")
	forged := Sign(key, Claims{Room: "r2", Player: "p1", Expiry: now.Add(time.Minute).UnixMilli()})
	fp, _, _ := strings.Cut(forged, ".")
	if _, err := Verify(key, fp+"."+sig, now); !errors.Is(err, ErrSignature) {
		t.Errorf("claims swapped under another signature: %v", err)
	}
	for _, bad := range []string{"", ".", p, p + ".", "!!.!!", "e30." + sig} {
		if _, err := Verify(key, bad, now); err == nil {
			t.Errorf("Verify(%q) accepted", bad)
		}
	}
}

func FuzzDecode(f *testing.F) {
	for _, s := range []string{`{"type":"join","token":"a.b"}`, `{"type":"input","input":1}`, `{"type":"reconnect","session":"s","seq":1}`, `{}`, `[`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Decode(b)
		if err != nil {
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("error %v is not a DecodeError", err)
			}
			return
		}
		// What decodes re-encodes and decodes to the same message (unless
		// escaping, say of '<', pushed it over the size limit).
		enc := Encode(m)
		if len(enc) > MaxMessage {
			return
		}
		again, err := Decode(enc)
		if err != nil || again.Type != m.Type || again.Input != m.Input || again.Session != m.Session || again.Token != m.Token {
			t.Fatalf("round trip of %q: %+v, %v", b, again, err)
		}
	})
}

func FuzzVerify(f *testing.F) {
	f.Add("e30.AAAA")
	f.Fuzz(func(t *testing.T, tok string) {
		_, _ = Verify([]byte("k"), tok, time.Now())
	})
}
