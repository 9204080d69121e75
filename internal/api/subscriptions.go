package api

// The engine's subscriptions to the account's server (RFC 6665): waiting messages
// (RFC 3842), the presence of contacts (RFC 3856) and their busy lamps (RFC 4235).

// Event names of the subscriptions.
const (
	EvMWI          = "mwi.state"          // MWIState: the voicemail box of an account changed
	EvSubscription = "subscription.state" // SubscriptionState: a subscription was taken, lost, refused, or sent a bad document
)

// MWIState is the voicemail box of an account, as its message-summary
// (RFC 3842) says: whether messages wait, and the voice messages new and old.
// Account is the id of an account besides the default; absent: the default's box.
type MWIState struct {
	Account   string `json:"account,omitempty"`
	Waiting   bool   `json:"waiting"`
	New       int    `json:"new"`
	Old       int    `json:"old"`
	UrgentNew int    `json:"urgentNew,omitempty"`
	UrgentOld int    `json:"urgentOld,omitempty"`
	// MessageAccount is the voicemail account the server named (Message-Account), if any.
	MessageAccount string `json:"messageAccount,omitempty"`
}

// Subscription states carried by SubscriptionState.State.
const (
	SubActive     = "active"     // the server accepted it; notifications come
	SubRetrying   = "retrying"   // it failed or ended; the engine subscribes again after Retry seconds
	SubTerminated = "terminated" // the server refused it for good, or the engine ended it
	SubMalformed  = "malformed"  // a notification's document could not be read; it was ignored, the subscription stands
)

// SubscriptionState reports a subscription of the engine: Event is the event
// package ("message-summary", "presence", "dialog"), Target the watched URI.
type SubscriptionState struct {
	Event  string `json:"event"`
	Target string `json:"target"`
	// Account is the id of the account besides the default the subscription goes
	// from; absent: the default's (and our publication).
	Account string `json:"account,omitempty"`
	State   string `json:"state"`
	Code    int    `json:"code,omitempty"`   // the status of the last SUBSCRIBE's answer
	Reason  string `json:"reason,omitempty"` // why it ended, or what was wrong with the document
	Retry   int    `json:"retry,omitempty"`  // seconds until the next SUBSCRIBE (retrying)
}
