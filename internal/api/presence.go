package api

// Presence (RFC 3856) and busy lamps (RFC 4235) of the contacts whose presence or
// blf flag is on, and our own presence (settings presenceStatus, publishPresence).
//
// A contact's state is known by its account and its number: the same extension on
// two servers is two people. Account is the id of the account the contact is
// watched from (Contact.Account), absent for the default account, so that an
// integrator with one account sees states by number alone.

// CmdBLFPickup answers a watched contact's ringing call here: it dials the
// blfPickup feature code and the contact's number (directed pickup), or without a
// code the contact's number with a Replaces header of the ringing dialog, when the
// server's dialog-info gave its Call-ID and tags (RFC 3891, early-only).
var CmdBLFPickup = declare[PickupArgs, DialResult]("blf.pickup", PermControl)

// PickupArgs names the contact whose ringing call to pick up: its number, and the
// account it is watched from (absent: the default), which the pickup call goes
// from too.
type PickupArgs struct {
	Number  string `json:"number"`
	Account string `json:"account,omitempty"`
}

// Event names of presence and busy lamps.
const (
	EvPresence = "presence.state" // PresenceState: a watched contact's presence changed
	EvBLF      = "blf.state"      // BLFState: a watched contact's busy lamp changed
)

// Our own presence statuses (Settings.PresenceStatus): Mizu's setpresencestatus
// values, lower case. Busy is what the engine publishes by itself during a call.
const (
	PresenceOnline    = "online"
	PresenceAway      = "away"
	PresenceBusy      = "busy"
	PresenceDND       = "dnd"
	PresenceInvisible = "invisible"
	PresenceOffline   = "offline"
)

// PresenceState is a watched contact's presence: State is one of Mizu's
// onPresenceStateChange values (Available, Away, Busy, Speaking, DoNotDisturb,
// Offline, Unknown), Note the contact's own words, if any.
type PresenceState struct {
	Number  string `json:"number"`
	Account string `json:"account,omitempty"` // absent: the default account
	State   string `json:"state"`
	Note    string `json:"note,omitempty"`
}

// The busy lamp of a watched contact (BLFState.Lamp).
const (
	LampIdle    = "idle"
	LampRinging = "ringing"
	LampBusy    = "busy"
	LampHold    = "hold"
	LampUnknown = "unknown" // not known yet, or the subscription failed
)

// BLFState is a watched contact's busy lamp: Lamp, and of the dialog that decides
// it its state as RFC 4235 names it (trying, proceeding, early, confirmed,
// terminated), its direction from the contact's side (initiator: the contact
// called; recipient: the contact is called) and its Call-ID.
type BLFState struct {
	Number    string `json:"number"`
	Account   string `json:"account,omitempty"` // absent: the default account
	Lamp      string `json:"lamp"`
	State     string `json:"state,omitempty"`
	Direction string `json:"direction,omitempty"`
	CallID    string `json:"callId,omitempty"`
	// Peer is the other party of that dialog, when the server says.
	Peer string `json:"peer,omitempty"`
}
