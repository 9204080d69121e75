package main

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/wpservice/wpservice/internal/account"
	"github.com/wpservice/wpservice/internal/accountstore"
	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/audio/endpoint"
	"github.com/wpservice/wpservice/internal/config"
	"github.com/wpservice/wpservice/internal/control"
	"github.com/wpservice/wpservice/internal/history"
	"github.com/wpservice/wpservice/internal/netwatch"
	"github.com/wpservice/wpservice/internal/pairing"
	"github.com/wpservice/wpservice/internal/phone"
	"github.com/wpservice/wpservice/internal/secret"
	"github.com/wpservice/wpservice/internal/sipstack"
	"github.com/wpservice/wpservice/internal/store"
	"github.com/wpservice/wpservice/web"
)

// The local audio endpoint plays the ring tone where its configuration says, and the
// engine keeps the microphone open for a page's level meter.
var (
	_ phone.RingerOutput   = (*endpoint.Endpoint)(nil)
	_ control.LevelWatcher = (*phone.Phone)(nil)
)

// runEngine wires the engine together and runs it until ctx is done. When it returns,
// every goroutine it started has returned and every part is closed.
func runEngine(ctx context.Context, cfg config.Config, baseLog *slog.Logger) error {
	dataDir := cfg.DataDir
	if dataDir == "" {
		d, err := config.DefaultDir()
		if err != nil {
			return err
		}
		dataDir = d
	}
	bus := phone.NewBus()
	log := slog.New(newEventLogHandler(baseLog.Handler(), bus))

	// The SIP port opens first: it needs nothing from the data directory, and a peer's
	// OPTIONS is answered while the token, the stored account and the keyring load.
	listenIP := cfg.SIP.ListenIP
	if listenIP == "auto" {
		listenIP = "" // every address; each request advertises the one that routes to its peer
	}

	sipTLS, err := sipstack.ClientTLSConfig(cfg.SIP.TLSCAFile)
	if err != nil {
		return fmt.Errorf("sip.tlsCAFile: %w", err)
	}
	adapter := &phone.SIPAdapter{}
	stack, err := sipstack.New(sipstack.Config{
		ListenIP: listenIP, UDPPort: cfg.SIP.UDPPort, TCPPort: cfg.SIP.TCPPort, NoUDP: !cfg.SIP.UDP,
		AcceptDirectCalls: cfg.SIP.AcceptDirectCalls,
		FollowRedirects:   cfg.SIP.FollowRedirects,
		TLSConfig:         sipTLS,
		KeepAlive:         time.Duration(cfg.SIP.KeepAlive) * time.Second,
		SessionExpires:    time.Duration(cfg.SIP.SessionExpires) * time.Second,
		SessionTimerOff:   cfg.SIP.SessionExpires == config.SessionTimerOff,
		MinSE:             time.Duration(cfg.SIP.MinSE) * time.Second,
		DNSServer:         cfg.SIP.DNSServer,
		UserAgent:         cfg.SIP.UserAgent + "/" + version,
		Logger:            log,
		OnTrace: func(t sipstack.Trace) {
			bus.Emit(api.EvSIPTrace, api.SIPTrace{Dir: t.Dir, Remote: t.Remote, Message: t.Message})
		},
		OnEvent: adapter.HandleEvent,
	})
	if err != nil {
		return fmt.Errorf("sip: %w", err)
	}
	defer stack.Close()

	st, err := store.Open(dataDir)
	if err != nil {
		return err
	}
	token, err := st.Token("token")
	if err != nil {
		return fmt.Errorf("token: %w", err)
	}
	accounts := accountstore.New(st, secret.Open(secret.DefaultService, filepath.Join(dataDir, "secrets.json"), log))
	if err := accounts.Recover(); err != nil {
		log.Warn("stored account: the password entry of an interrupted change was not removed", "err", err)
	}
	acc, provisioned := initialAccount(cfg, accounts, log)
	acc = acc.Normalize()
	if err := acc.Validate(); err != nil && acc.Configured() {
		return fmt.Errorf("account: %w", err)
	}

	aio, err := endpoint.Open(cfg.Audio, log)
	if err != nil {
		return fmt.Errorf("audio: %w", err)
	}
	defer aio.Close()
	trim := newTrimmer()

	var accStore phone.Store = accounts
	accID, extras := savedAccounts(accounts, log)
	if provisioned {
		accStore = nil // the administrator's account is not overwritten by the user's changes
		accID, extras = "", nil
	}
	netw := netwatch.New(log)
	// the call history (and the instant messages, in the same database) opens its
	// database on first use; closed once the phone has stopped, with the records of
	// the calls the shutdown ended
	hist := history.New(history.Config{Path: filepath.Join(dataDir, "history.db"), Emit: bus.Emit, Logger: log})
	defer hist.Close()
	jitterMin := time.Duration(cfg.Settings.JitterMinMS) * time.Millisecond
	jitterMax := time.Duration(cfg.Settings.JitterMaxMS) * time.Millisecond
	ph, err := phone.New(phone.Config{
		SIP: adapter, Media: phone.MediaOpener(log, cfg.SIP.STUNServer, jitterMin, jitterMax), Audio: trim.audio(aio), Store: accStore, Bus: bus,
		Account:       acc,
		AccountID:     accID,
		Accounts:      extras,
		SettingsStore: settingsStore{st},
		SavedSettings: loadSettings(st, log),
		FileSettings:  cfg.Settings.SettingsArgs,
		ContactsStore: contactsStore{st},
		Contacts:      loadContacts(st, log),
		Settings: phone.Settings{
			RTPTimeout:       time.Duration(cfg.Settings.RTPTimeout) * time.Second,
			AutoAnswer:       cfg.Settings.AutoAnswer,
			AutoHold:         cfg.Settings.AutoHold,
			DTMFDelay:        time.Duration(cfg.Settings.DTMFDelayMS) * time.Millisecond,
			MaxLines:         cfg.Settings.MaxLines,
			TransferIncoming: cfg.Settings.TransferIncoming,
			Processing:       phone.Processing{AEC: cfg.Settings.AEC, Denoise: cfg.Settings.Denoise, AGC: cfg.Settings.AGC},
			JitterMin:        jitterMin,
			JitterMax:        jitterMax,
			Ptime:            time.Duration(cfg.Settings.Ptime) * time.Millisecond,
			AudioInput:       cfg.Audio.Input,
			AudioOutput:      cfg.Audio.Output,
		},
		Version:       version,
		ConfigSources: cfg.Sources,
		Logger:        log,
		NetWatch:      netw,
		History:       hist,
		Chat:          hist,
		SoundsDir:     orDefault(cfg.Audio.SoundsDir, filepath.Join(dataDir, "sounds")),
		RecordingsDir: orDefault(cfg.Audio.RecordingsDir, filepath.Join(dataDir, "recordings")),
		Subscriber:    adapter,

		EndCallsOnNetworkChange: cfg.SIP.OnNetworkChange == config.NetworkChangeEnd,
	})
	if err != nil {
		return err
	}
	adapter.Bind(stack, ph)

	srv, err := startControl(cfg, dataDir, token, bus, ph, log)
	if err != nil {
		return err
	}
	defer srv.Close()
	if err := serveAdminSocket(cfg, srv, log); err != nil {
		return err
	}
	var challenges func(context.Context)
	if cfg.Remote.Enabled {
		if challenges, err = serveRemote(cfg.Remote, dataDir, srv, log); err != nil {
			return fmt.Errorf("remote: %w", err)
		}
	}
	if p := srv.TLSPort(); p != 0 {
		log.Info("wss listening", "url", fmt.Sprintf("wss://localhost:%d/ws", p))
	}
	log.Info("wpservice ready", "version", version, "control", fmt.Sprintf("http://127.0.0.1:%d/", srv.Port()),
		"sip", stack.UDPAddr(), "sip_tcp", stack.TCPAddr(), "data", dataDir, "token_file", filepath.Join(dataDir, "token"))

	// a device unplugged while open is replaced by the default, and used again when it
	// comes back (the endpoint polls while it holds the device): the pages are told
	aio.SetOnMove(ph.DevicesChanged)
	// hot-plug is followed only while a client is there to be told: idle, nothing polls
	watchDevices := func(ctx context.Context) {
		bus.WhileWatched(ctx, func(ctx context.Context) { aio.Watch(ctx, ph.DevicesChanged) })
	}
	return runUntilDone(ctx, ph.Run, watchDevices, netw.Run, challenges, trim.run)
}

// startControl opens the pairing store and starts the control API on loopback.
func startControl(cfg config.Config, dataDir, token string, bus *phone.Bus, ph *phone.Phone, log *slog.Logger) (*control.Server, error) {
	var pairings *pairing.Store
	if cfg.Control.Pairing {
		var err error
		if pairings, err = pairing.Open(pairing.Config{Path: filepath.Join(dataDir, "pairings.json"), Logger: log}); err != nil {
			return nil, fmt.Errorf("pairing: %w", err)
		}
	}
	srv, err := control.New(control.Config{
		TLS: serverTLS(dataDir, log), TLSPort: cfg.Control.TLS.Port, TLSFallbackPorts: cfg.Control.TLS.FallbackPorts,
		Port: cfg.Control.Port, FallbackPorts: cfg.Control.FallbackPorts,
		AllowedOrigins: cfg.Control.AllowedOrigins, AdminOrigins: cfg.Control.AdminOrigins,
		ReadOnlyOrigins: cfg.Control.ReadOnlyOrigins, FrameAncestors: cfg.Control.FrameAncestors,
		Pairing: pairings, Notify: bus.Emit,
		Token: token, Static: web.Files, Version: version, Logger: log,
	}, ph)
	if err != nil {
		return nil, err
	}
	if err := srv.Start(); err != nil {
		return nil, fmt.Errorf("control: %w", err)
	}
	return srv, nil
}

// initialAccount is the administrator's account from the config file if there is one,
// else the one the user saved (its password from the keeper).
func initialAccount(cfg config.Config, accounts *accountstore.Store, log *slog.Logger) (account.Account, bool) {
	if a := cfg.Account; a != nil {
		return account.FromConfig(*a), true
	}
	acc, err := accounts.Load()
	switch {
	case err != nil && acc.Configured():
		log.Warn("stored account loaded, but its password could not be read or moved to the keyring", "err", err)
	case err != nil:
		log.Warn("stored account unreadable; starting without one", "err", err)
	}
	return acc, false
}

// orDefault is dir, or def when dir is "".
func orDefault(dir, def string) string {
	if dir == "" {
		return def
	}
	return dir
}
