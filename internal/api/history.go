package api

// The call history the engine keeps (internal/history): one record per ended call,
// whether or not a page was open. history.list pages through it, newest first;
// call.cdr reports each record once it is stored.

// Who hung up, in CallRecord.EndedBy.
const (
	EndedByLocal  = "local"  // we hung up, cancelled or rejected
	EndedByRemote = "remote" // the peer hung up, cancelled or rejected
	EndedBySystem = "system" // neither side: a failure, a timeout, the engine stopping
)

// CallRecord is one ended call as the history keeps it: the call detail record.
type CallRecord struct {
	ID         int64  `json:"id"`        // the record's id in the history (0 until stored)
	CallID     string `json:"callId"`    // the engine's handle of the call when it ran
	SIPCallID  string `json:"sipCallId"` // the SIP Call-ID
	Direction  string `json:"direction"` // incoming | outgoing
	Account    string `json:"account"`   // the account's address of record (user@server)
	Peer       string `json:"peer"`      // peer URI
	PeerUser   string `json:"peerUser"`  // user part of the peer URI
	PeerName   string `json:"peerName"`  // display name, if any
	StartedAt  int64  `json:"startedAt"` // unix ms
	AnsweredAt int64  `json:"answeredAt,omitempty"`
	EndedAt    int64  `json:"endedAt"`
	Duration   int64  `json:"durationMs"` // from the answer to the end; 0 for a call never answered
	Cause      Cause  `json:"cause"`      // why it ended
	EndedBy    string `json:"endedBy"`    // local | remote | system
	Codec      string `json:"codec,omitempty"`
	// TransferredTo is the target the call was transferred to, by either side;
	// Conference says the call was part of a local conference.
	TransferredTo string `json:"transferredTo,omitempty"`
	Conference    bool   `json:"conference,omitempty"`
}

// HistoryListArgs pages through the history, newest first. Limit is 1..500
// (default 50); Before is the id of the last record of the previous page (0 = from
// the newest); Peer keeps records whose peer URI, user or name contains it (case
// insensitive); From and To (unix ms, To exclusive) keep calls started in that range.
type HistoryListArgs struct {
	Limit  int    `json:"limit,omitempty"`
	Before int64  `json:"before,omitempty"`
	Peer   string `json:"peer,omitempty"`
	From   int64  `json:"from,omitempty"`
	To     int64  `json:"to,omitempty"`
}

// HistoryPage is one page of the history. Next, when not 0, is the Before of the
// next page.
type HistoryPage struct {
	Calls []CallRecord `json:"calls"`
	Next  int64        `json:"next,omitempty"`
}

// HistoryRef names one record of the history.
type HistoryRef struct {
	ID int64 `json:"id"`
}

// HistoryCleared says how many records history.clear removed.
type HistoryCleared struct {
	Deleted int64 `json:"deleted"`
}
