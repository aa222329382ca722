// Package wire is the room server's WebSocket protocol: JSON messages,
// one per frame, and the join tokens the matchmaker signs.
package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// Message types.
const (
	TypeJoin      = "join"      // client → server: Token
	TypeJoined    = "joined"    // server → client: Room, Player, Session, Seq
	TypeState     = "state"     // server → client: Seq, Players (each player's acked input)
	TypeInput     = "input"     // client → server: Input (1, 2, 3, … per session), Data
	TypeReconnect = "reconnect" // client → server: Session, Seq (last state seen), Token when changing rooms
	TypeError     = "error"     // server → client: Code, Reason, RetryAfterMs
)

// Error codes a server sends. Every error but CodeInputGap ends the
// connection: the client reconnects (or joins elsewhere) to continue, so a
// flooding or malformed client costs only itself.
const (
	CodeBadMessage     = "bad_message"
	CodeBadToken       = "bad_token"
	CodeWrongRoom      = "wrong_room"
	CodeTokenExpired   = "token_expired"
	CodeRoomFull       = "room_full"
	CodeDraining       = "draining"        // reconnect elsewhere after RetryAfterMs
	CodeWindowExpired  = "window_expired"  // the session's recovery window has passed
	CodeStreamTrimmed  = "stream_trimmed"  // messages since Seq are no longer kept
	CodeUnknownSession = "unknown_session" // no such session was ever created
	CodeInputGap       = "input_gap"       // an input skipped a number
	CodeRateLimited    = "rate_limited"
	CodeUnavailable    = "unavailable" // session store unreachable; retry
)

// MaxMessage is the largest frame a server reads (bytes).
const MaxMessage = 4096

// Message is every message; Type says which fields are meaningful.
type Message struct {
	Type         string        `json:"type"`
	Token        string        `json:"token,omitempty"`
	Session      string        `json:"session,omitempty"`
	Room         string        `json:"room,omitempty"`
	Player       string        `json:"player,omitempty"`
	Seq          uint64        `json:"seq,omitempty"`
	Input        uint64        `json:"input,omitempty"`
	Data         string        `json:"data,omitempty"`
	Players      []PlayerState `json:"players,omitempty"`
	Code         string        `json:"code,omitempty"`
	Reason       string        `json:"reason,omitempty"`
	RetryAfterMs int64         `json:"retryAfterMs,omitempty"`
}

// PlayerState is one player's progress in a state message: LastInput is
// the last input applied (the client's acknowledgement), Applied how many.
type PlayerState struct {
	Player    string `json:"player"`
	LastInput uint64 `json:"lastInput"`
	Applied   uint64 `json:"applied"`
}

// DecodeError names the field of a message that is wrong.
type DecodeError struct {
	Field, Reason string
}

func (e *DecodeError) Error() string {
	if e.Field == "" {
		return "message: " + e.Reason
	}
	return "message." + e.Field + ": " + e.Reason
}

// Decode parses and validates a client message (join, input, reconnect).
func Decode(b []byte) (Message, error) {
	var m Message
	if len(b) > MaxMessage {
		return m, &DecodeError{Reason: fmt.Sprintf("%d bytes, over the %d-byte limit", len(b), MaxMessage)}
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		var ute *json.UnmarshalTypeError
		if errors.As(err, &ute) {
			return Message{}, &DecodeError{Field: ute.Field, Reason: "wrong type (" + ute.Value + ")"}
		}
		return Message{}, &DecodeError{Reason: "not a JSON object: " + err.Error()}
	}
	if dec.More() {
		return Message{}, &DecodeError{Reason: "trailing data after the message"}
	}
	return m, m.validate()
}

func (m Message) validate() error {
	switch m.Type {
	case TypeJoin:
		if m.Token == "" {
			return &DecodeError{Field: "token", Reason: "required"}
		}
	case TypeInput:
		if m.Input == 0 {
			return &DecodeError{Field: "input", Reason: "required, counting from 1"}
		}
	case TypeReconnect:
		if m.Session == "" {
			return &DecodeError{Field: "session", Reason: "required"}
		}
	case "":
		return &DecodeError{Field: "type", Reason: "required"}
	default:
		return &DecodeError{Field: "type", Reason: fmt.Sprintf("%q is not a client message (join, input, reconnect)", m.Type)}
	}
	return nil
}

// Encode marshals a message; it cannot fail for Message values.
func Encode(m Message) []byte {
	b, _ := json.Marshal(m)
	return b
}
