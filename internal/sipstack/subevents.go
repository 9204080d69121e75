package sipstack

import "time"

// Subscription states carried by SubState.State.
const (
	SubActive     = "active"     // the notifier accepted the SUBSCRIBE; Expires says for how long
	SubRetrying   = "retrying"   // it failed or ended; a new SUBSCRIBE goes after Retry
	SubTerminated = "terminated" // the notifier refused the resource for good; no more SUBSCRIBEs
)

// SubState reports a change of one subscription (Subscribe).
type SubState struct {
	ID      string // Subscription.ID
	Event   string // the event package
	Target  string // the resource's URI
	State   string // one of the Sub* constants
	Code    int    // the status of the last SUBSCRIBE's answer; 0 after a transport failure or a NOTIFY
	Reason  string // the reason of a NOTIFY that ended the subscription ("noresource", "timeout"...)
	Expires int    // seconds granted (active only)
	Retry   time.Duration
}

// Notified reports the document of a NOTIFY, already answered 200: one of a
// subscription's, or an unsolicited one the stack was told to accept
// (AcceptUnsolicited), whose ID is "".
type Notified struct {
	ID          string // Subscription.ID, or "" when unsolicited
	Event       string // the event package
	Target      string // the resource: the subscription's target, or the NOTIFY's From
	State       string // the Subscription-State without parameters: active, pending or terminated
	ContentType string
	Body        []byte
}

func (SubState) isEvent() {}
func (Notified) isEvent() {}
