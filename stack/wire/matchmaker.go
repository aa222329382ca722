package wire

// The matchmaker's HTTP API, shared by its server, the players' client
// and fleetd.
const (
	MatchPath   = "/v1/match"   // POST MatchRequest → Assignment: queue for a match and its room
	RejoinPath  = "/v1/rejoin"  // POST MatchRequest{Player, Match} → Assignment: the match's room now
	WaitingPath = "/v1/waiting" // GET → {"waiting": N}: matches waiting for a room (?unlike=N long-polls)
)

// MatchRequest asks for a match (Match empty) or a match's room again.
type MatchRequest struct {
	Player string `json:"player"`
	Match  string `json:"match,omitempty"`
}

// Assignment is the answer to a player: where to play and the token.
type Assignment struct {
	Match       string `json:"match"`
	Room        string `json:"room"`
	Address     string `json:"address"`
	Token       string `json:"token"`
	MatchWaitMs int64  `json:"matchWaitMs"`
	AllocWaitMs int64  `json:"allocWaitMs"`
	// Waited: the match found no Ready room and waited for one.
	Waited bool `json:"waited,omitempty"`
}
