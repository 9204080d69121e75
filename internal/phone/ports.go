package phone

import (
	"context"
	"net"
	"net/netip"
	"time"

	"github.com/wpservice/wpservice/internal/account"
	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/audio"
	"github.com/wpservice/wpservice/internal/media"
)

// The phone reaches signalling, media and audio devices only through these interfaces,
// so its logic is tested without sockets or sound cards. sip.go and media.go adapt the
// real sipstack and media packages to them.

// SIP is the signalling stack.
type SIP interface {
	// SetAccount sets the identity for REGISTER and for outgoing calls.
	SetAccount(account.Account) error
	// Register starts (or restarts) registration in the background.
	Register() error
	// Unregister sends REGISTER with Expires: 0 and waits for the answer or ctx.
	Unregister(ctx context.Context) error
	// Target turns a dial string (URI, user or number) into a request URI, refusing
	// anything that could break a header.
	Target(to string) (string, error)
	// Headers checks the extra INVITE headers a client asked for and returns them in
	// the order they are sent, refusing names the stack owns and anything that could
	// break a header. The error names the offending header.
	Headers(h map[string]string) ([]Header, error)
	// Dial sends an INVITE with the SDP offer and the checked extra headers and
	// returns at once. reoffer, when not nil, makes the offer of an INVITE that
	// follows a redirect from another local address: the stack calls it, off the
	// actor, with that address and sends the SDP it returns (nil: the offer before).
	Dial(target string, offer []byte, headers []Header, reoffer func(ip string) []byte) (Dialog, error)
	// LocalIP is our address for a call to target (a URI from Target): the local
	// address that routes to where its INVITE goes, for the SDP and for RTP.
	LocalIP(target string) string
}

// Header is one extra SIP header of an outgoing INVITE (the Mizu setsipheader).
type Header struct {
	Name, Value string
}

// Dialog is one INVITE dialog, either direction.
type Dialog interface {
	CallID() string
	Ring() error
	Answer(sdp []byte) error
	Reject(code int, reason string) error
	// Forward answers an incoming call not yet answered with 302 and a Contact
	// of target, a SIP URI.
	Forward(target string) error
	// Hangup sends CANCEL before a final response and BYE after it.
	Hangup(ctx context.Context) error
	// Hold sends a re-INVITE that puts an established call on hold (hold true) or
	// resumes it, and returns the peer's SDP answer once it accepted (ACK sent).
	Hold(ctx context.Context, hold bool) (answer []byte, err error)
	// MoveMedia sends a re-INVITE that moves our side of an established call to a
	// new local address: Contact and Via at ip, media at media (the public address
	// STUN learned for the new RTP socket, else ip and its port). It returns the
	// peer's SDP answer once it accepted (ACK sent).
	MoveMedia(ctx context.Context, ip string, media netip.AddrPort) (answer []byte, err error)
}

// NetWatch tells of changes of the machine's addresses and routes, a burst of them
// as one value on Changes.
type NetWatch interface {
	Changes() <-chan struct{}
}

// MediaParams starts or updates a stream.
type MediaParams struct {
	Remote          *net.UDPAddr
	RemoteRTCP      *net.UDPAddr // where RTCP goes without rtcp-mux; nil: Remote's port + 1
	Codec           audio.Codec
	PayloadType     uint8
	DTMFPayloadType uint8 // 0: the peer offered no telephone-event
	// CNPayloadType is comfort noise (RFC 3389) as both sides took it: our
	// silences go as CN, the peer's CN is played as noise; 0: none.
	CNPayloadType uint8
	OnDTMF        func(digit rune, d time.Duration)
	SRTP          *media.SRTP // nil: plain RTP
	RTCPMux       bool        // RTCP on the RTP port: both SDPs say a=rtcp-mux
	// PacketTime is the audio per packet the peer wants to receive (its
	// a=ptime within its a=maxptime); zero: 20 ms.
	PacketTime time.Duration
}

// Stream is one call's RTP session. The media clock's goroutine calls WriteFrame and
// ReadFrame, the actor the others; a frame may still be written or read while or just
// after the actor closes the stream, and must then do nothing.
type Stream interface {
	LocalPort() int
	// Ready is closed once the stream knows its public address (at once when it
	// asks no STUN server); the actor waits for it off its goroutine.
	Ready() <-chan struct{}
	// PublicAddr is the RTP address a STUN server saw, to announce in SDP instead
	// of the local one; the zero AddrPort when there is none. It blocks until
	// Ready is closed.
	PublicAddr() netip.AddrPort
	// PublicRTCPAddr is the RTCP socket's address a STUN server saw, for a=rtcp
	// (RFC 3605); the zero AddrPort when there is none. It blocks until Ready is
	// closed.
	PublicRTCPAddr() netip.AddrPort
	// Punch opens a NAT's mapping toward remote with an empty datagram, before the
	// peer sends its first RTP.
	Punch(remote *net.UDPAddr) error
	Start(MediaParams) error
	WriteFrame(pcm []int16) error
	ReadFrame(pcm []int16) bool
	SendDTMF(digits string) error
	LastReceived() time.Time
	Close() error
}

// AudioIO is the local audio: the source the microphone side reads and the sink the
// speaker side writes, and the device choice. Source and Sink stay valid across device
// changes and uses.
type AudioIO interface {
	Source() audio.Source
	Sink() audio.Sink
	Devices() api.Devices
	Select(args api.DeviceSelectArgs) (api.Devices, error)
	// Use opens what the engine needs of the local audio now, the microphone
	// (capture) and the speaker (playback), and closes what it no longer needs; the
	// engine starts with neither. The actor calls it; an error leaves that side
	// silent and the call going.
	Use(capture, playback bool) error
}

// RingerOutput is an AudioIO that plays the ring tone somewhere else than the speaker
// sink. Ringer returns that sink, or nil to mix the ring tone into the speaker, which is
// what happens with an AudioIO that does not implement RingerOutput.
type RingerOutput interface {
	Ringer() audio.Sink
}

// Store persists what the user changes at run time.
type Store interface {
	SaveAccount(account.Account) error
}
