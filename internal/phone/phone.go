// Package phone is the engine: the account and its registration, the line table, each
// call's state machine and the media clock. One goroutine (the actor) owns all of that
// state; commands from the control API and happenings from SIP and media are messages
// to it. It reaches SIP, RTP and devices only through the interfaces in ports.go.
package phone

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/wpservice/wpservice/internal/account"
	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/audio"
)

// Settings are the engine settings.
type Settings struct {
	RTPTimeout time.Duration // end a call after this long without RTP; 0 = never
	AutoAnswer bool
	AutoHold   bool          // hold the call being left when the user turns to another line (selection.go); the config's default is on
	DTMFDelay  time.Duration // before a dial string's ",DIGITS" suffix is sent
	MaxLines   int
	// RingTimeoutOut and CallTimeout end an outgoing call still ringing and a call
	// that lasted that long (timelimit.go); 0 = no limit.
	RingTimeoutOut time.Duration
	CallTimeout    time.Duration
	// TransferIncoming is what a peer's REFER gets: api.TransferAccept, TransferAsk
	// or TransferRefuse (transfer_in.go).
	TransferIncoming string
	AudioInput       string // reported only: device | null | wav
	AudioOutput      string
	Policies         Policies      // what becomes of an incoming call before it rings (policy.go)
	Sound            SoundSettings // tones, the ringtone and recording (soundsettings.go)
	Voicemail        Voicemail     // the account's voicemail box (mwi.go)
	Presence         Presence      // our presence (presence.go)
	// BLFPickup is the feature code of directed pickup (blfpickup.go).
	BLFPickup string
	// IMDN asks for delivery notifications on the messages sent (chatimdn.go).
	IMDN bool
	// IMDNDisplay asks for display notifications too, and sends them (chatdisplay.go).
	IMDNDisplay bool
	// Processing is the microphone's echo cancellation, noise suppression and
	// gain control (processing.go).
	Processing Processing
	// The adaptive jitter buffer's bounds, reported only (set in the config).
	JitterMin, JitterMax time.Duration
	// Ptime is the packet time our SDP asks of peers (a=ptime), set in the
	// config; zero: 20 ms.
	Ptime time.Duration
	// SilenceSuppression is api.ProcessingAuto, On or Off: comfort noise in
	// our silences where the peer takes it (silence.go).
	SilenceSuppression string
}

// MaxLines is the most lines the engine has: a desk phone's line keys, and more
// than an agent juggles.
const MaxLines = 16

// DefaultSettings are used for zero fields of Config.Settings.
var DefaultSettings = Settings{RTPTimeout: 30 * time.Second, DTMFDelay: time.Second, MaxLines: 4, Processing: DefaultProcessing}

// Config wires a Phone.
type Config struct {
	SIP   SIP
	Media func(localIP string) (Stream, error) // opens an RTP session on a free port of localIP
	Audio AudioIO
	Store Store // nil: changes are not persisted
	// SettingsStore keeps the settings.set changes; nil: they are not persisted.
	SettingsStore SettingsStore
	// SavedSettings are the changes SettingsStore kept, applied over Settings at
	// start (settingsave.go).
	SavedSettings api.SettingsArgs
	Bus           *Bus // nil: a private one
	Account       account.Account
	Settings      Settings
	Version       string
	// FileSettings are the settings.set fields the config files set beyond those
	// Settings has (the call policies, the time limits), applied over Settings at
	// start and under SavedSettings; a value out of range fails New.
	FileSettings api.SettingsArgs
	// AccountID is the default account's id; "" is account.FirstID.
	AccountID string
	// Accounts are the accounts besides the default, in order (accounts.go).
	Accounts []account.Entry
	// ConfigSources names the config files the engine was started with, for status.
	ConfigSources []string
	Logger        *slog.Logger
	Now           func() time.Time // nil: time.Now
	// FrameTick drives the media clock; nil: a real 20 ms ticker. Tests pass a channel
	// they feed to step the clock frame by frame.
	FrameTick <-chan time.Time
	// NetWatch reports network changes, which the engine follows (netchange.go);
	// nil: none are watched.
	NetWatch NetWatch
	// EndCallsOnNetworkChange ends, with cause network_changed, an active call
	// whose local address changed, instead of moving it (sip.onNetworkChange).
	EndCallsOnNetworkChange bool
	// SoundsDir is the folder of the WAV files audio.play and the ringtone play,
	// and RecordingsDir the one call recordings go to (soundfiles.go, record.go);
	// "": none, and the commands that need one fail.
	SoundsDir, RecordingsDir string
	// History records every call as it ends and answers the history commands;
	// nil: no history is kept (history.go).
	History History
	// Chat keeps the instant messages and answers the chat commands; nil: none are
	// kept, and chat.send fails (chat.go).
	Chat ChatStore
	// Subscriber subscribes to the account's event packages (voicemail, mwi.go);
	// nil: no subscriptions.
	Subscriber Subscriber
	// Contacts is the saved contact list; ContactsStore keeps its changes (nil:
	// they are not persisted; contacts.go).
	Contacts      []api.Contact
	ContactsStore ContactsStore
}

// Phone is the engine. Create it with New, run it with Run.
type Phone struct {
	cfg   Config
	log   *slog.Logger
	bus   *Bus
	now   func() time.Time
	inbox chan func()
	done  chan struct{} // closed when the actor has stopped
	pump  *pump

	// the goroutines the engine starts besides the actor (actor.go): Run joins them
	workers  sync.WaitGroup
	work     context.Context // cancelled once the actor has stopped; the workers' context
	stopWork context.CancelFunc
	hangups  []<-chan struct{} // CANCELs and BYEs in flight, closed when done (actor-owned)

	// actor-owned state
	acc          account.Account
	accID        string          // the default account's id
	extras       []*extraAccount // the accounts besides the default (accounts.go)
	lastAccID    int             // the last id given to an account without a store
	reg          api.RegState
	settings     Settings
	saved        api.SettingsArgs // every field settings.set changed (settingsave.go)
	lines        lineTable
	volumes      volumes
	selected     int
	nextID       uint64
	stopping     bool
	audio        audioUse         // the sound device and the media clock in use (audiouse.go)
	housekeeping housekeeping     // the RTP timeout's tick, while calls exist (housekeeping.go)
	statsWatch   statsWatch       // the opt-in call.stats event's timer, while watched (statswatch.go)
	regIP        string           // our address toward the account's server when registration started
	regGen       int              // counts registration starts: a late lookup of regIP is for an old one
	netLooking   bool             // a worker looks up the routes after a network change (netchange.go)
	netAgain     bool             // the network changed again meanwhile: look once more
	unread       int              // instant messages not yet read, as the store last counted them (chat.go)
	unreadKnown  bool             // ... once it has
	unreadAsked  bool             // the count was asked of the store
	displays     displayWaits     // received messages waiting to be marked read for their display notification (chatdisplay.go)
	tones        toneState        // the call-progress tone (tones.go)
	dtmf         *dtmfFeedback    // the local echo of the digits last sent (tones.go)
	playing      *player          // the file audio.play plays (play.go)
	recs         recordings       // the calls being recorded (record.go)
	ringtone     *audio.WAVSource // the ringtone setting's file, or nil for the built-in ring (ringtone.go)
	mwi          mwiBoxes         // the voicemail boxes' subscriptions and what each last said (mwi.go)
	contacts     []api.Contact    // the contact list, by name (contacts.go)
	watches      contactWatches   // the contacts' presence and dialog subscriptions (watches.go)
	dialogs      blfDialogs       // the dialogs known of each contact whose lamp is watched (blf.go)
	pub          ourPublication   // our presence, published (presence.go)
}

// New validates cfg and returns a Phone that does nothing until Run.
func New(cfg Config) (*Phone, error) {
	if cfg.SIP == nil || cfg.Media == nil || cfg.Audio == nil {
		return nil, errors.New("phone: SIP, Media and Audio are required")
	}
	s := cfg.Settings
	if s.MaxLines <= 0 {
		s.MaxLines = DefaultSettings.MaxLines
	}
	s.Processing = s.Processing.withDefaults()
	if s.MaxLines > MaxLines {
		return nil, fmt.Errorf("phone: %d lines is more than %d", s.MaxLines, MaxLines)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	s, err := applySettings(s, cfg.FileSettings)
	if err != nil {
		return nil, fmt.Errorf("config settings: %w", err)
	}
	if saved, err := applySettings(s, cfg.SavedSettings); err != nil {
		cfg.Logger.Warn("saved settings ignored", "err", err)
		cfg.SavedSettings = api.SettingsArgs{}
	} else {
		s = saved
	}
	cfg.Settings = s
	if cfg.Bus == nil {
		cfg.Bus = NewBus()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if len(cfg.Account.Codecs) == 0 {
		cfg.Account.Codecs = account.DefaultCodecs()
	}
	p := &Phone{
		cfg:      cfg,
		log:      cfg.Logger.With("component", "phone"),
		bus:      cfg.Bus,
		now:      cfg.Now,
		inbox:    make(chan func(), 256),
		done:     make(chan struct{}),
		acc:      cfg.Account,
		reg:      api.RegState{State: api.RegUnregistered},
		settings: s,
		saved:    cfg.SavedSettings,
		contacts: loadedContacts(cfg.Contacts, cfg.Logger),
		lines:    newLineTable(s.MaxLines),
		volumes:  unityVolumes,
	}
	p.accID = cmp.Or(cfg.AccountID, account.FirstID)
	for _, e := range cfg.Accounts {
		p.extras = append(p.extras, &extraAccount{id: e.ID, acc: e.Account, reg: api.RegState{State: api.RegUnregistered}})
		if n, err := strconv.Atoi(e.ID); err == nil {
			p.lastAccID = max(p.lastAccID, n)
		}
	}
	p.work, p.stopWork = context.WithCancel(context.Background())
	p.pump = newPump(cfg.Audio, p.log, p.bus.Emit)
	p.loadRingtone()
	p.pump.setPlan(&mixPlan{vol: p.volumes, dsp: p.processing()})
	return p, nil
}

// Watch subscribes sink to events and returns the hello event whose snapshot is
// consistent with them. It satisfies control.Backend. Once the engine has stopped it
// returns a hello without a snapshot and subscribes nothing.
func (p *Phone) Watch(sink func(api.Event)) (api.Event, func()) {
	type subscription struct {
		hello  api.Event
		cancel func()
	}
	v, err := p.call(context.Background(), func() (any, error) {
		p.askUnread()
		h, c := p.bus.subscribe(sink, api.Hello{Protocol: api.ProtocolVersion, Engine: api.EngineName, Version: p.cfg.Version, Snapshot: p.snapshot()})
		return subscription{h, c}, nil
	})
	if err != nil {
		return api.Event{Event: api.EvHello, Data: api.Hello{Protocol: api.ProtocolVersion, Engine: api.EngineName, Version: p.cfg.Version}}, func() {}
	}
	s := v.(subscription)
	return s.hello, s.cancel
}

func (p *Phone) snapshot() api.Snapshot {
	s := api.Snapshot{
		Account:      p.publicAccount(),
		Registration: p.regState(),
		Accounts:     p.accountInfos(),
		Lines:        []api.CallState{},
		SelectedLine: p.selected,
		Devices:      p.devices(),
		Settings:     p.publicSettings(),
		Config:       p.cfg.ConfigSources,

		UnreadMessages: p.unread,
		Chat:           p.canChat(),
	}
	s.MWI, s.MWIAccounts = p.mwiSnapshot()
	s.Presence, s.BLF = p.snapshotWatches()
	p.lines.each(func(c *call) {
		if !c.preparing {
			s.Lines = append(s.Lines, c.public())
		}
	})
	return s
}

func (p *Phone) publicSettings() api.Settings {
	s := p.settings
	out := api.Settings{
		RTPTimeout:       int(s.RTPTimeout / time.Second),
		RingTimeoutOut:   int(s.RingTimeoutOut / time.Second),
		CallTimeout:      int(s.CallTimeout / time.Second),
		AutoAnswer:       s.AutoAnswer,
		AutoHold:         s.AutoHold,
		DTMFAfterMS:      int(s.DTMFDelay / time.Millisecond),
		MaxLines:         s.MaxLines,
		TransferIncoming: s.TransferIncoming,
		AudioInput:       s.AudioInput,
		AudioOutput:      s.AudioOutput,

		DND:               s.Policies.DND,
		DNDAction:         dndAction(s.Policies.DNDCode),
		BlockList:         strings.Join(s.Policies.BlockList, ", "),
		RejectWhenBusy:    s.Policies.RejectWhenBusy,
		ForwardAlways:     s.Policies.ForwardAlways,
		ForwardOnBusy:     s.Policies.ForwardOnBusy,
		ForwardOnNoAnswer: s.Policies.ForwardOnNoAnswer,
		RingTimeout:       int(s.Policies.RingTimeout / time.Second),
		AutoAnswerHeaders: s.Policies.AutoAnswerHeaders,

		AEC: s.Processing.AEC, Denoise: s.Processing.Denoise, AGC: s.Processing.AGC,
		SilenceSuppression: cmp.Or(s.SilenceSuppression, api.ProcessingAuto),
		JitterMinMs:        int(s.JitterMin / time.Millisecond), JitterMaxMs: int(s.JitterMax / time.Millisecond),
		Ptime:           int(cmp.Or(s.Ptime, 20*time.Millisecond) / time.Millisecond),
		MWI:             !s.Voicemail.NoMWI,
		MWIUnsolicited:  s.Voicemail.Unsolicited,
		VoicemailNumber: s.Voicemail.Number,

		PresenceStatus:     s.presenceStatus(),
		PublishPresence:    s.Presence.Publish,
		PresenceBusyOnCall: !s.Presence.NoBusyOnCall,
		BLFPickup:          s.BLFPickup,
		IMDN:               s.IMDN,
		IMDNDisplay:        s.IMDNDisplay,
	}
	s.Sound.public(&out)
	return out
}

func (p *Phone) selectDevices(a *api.DeviceSelectArgs) (api.Devices, error) {
	if _, err := p.cfg.Audio.Select(*a); err != nil {
		return api.Devices{}, err
	}
	d := p.devices()
	p.bus.Emit(api.EvDevicesChanged, d)
	return d, nil
}

// DevicesChanged reports a hot-plug change found by the device watcher.
func (p *Phone) DevicesChanged() {
	p.post(func() { p.bus.Emit(api.EvDevicesChanged, p.devices()) })
}
