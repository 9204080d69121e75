// Package remote provides the optional remote listener for server and VDI
// deployments, where the engine runs on a host that browsers reach at a real
// DNS name over wss://, with certificates from an ACME CA (Let's Encrypt by
// default) obtained by golang.org/x/crypto/acme/autocert.
//
// It is off by default, and turning it on changes the threat model:
//
//   - It exposes the phone to the network. Whoever completes the control
//     protocol on this listener can place calls, hear and record audio, and
//     read call history. Token authentication is therefore mandatory on
//     every remote connection (the control layer enforces it), on top of the
//     Host and Origin checks fed by Hosts.
//   - Restrict the port with a firewall to the networks that need it. For
//     tls-alpn-01 the CA must reach the listener on port 443; for http-01 it
//     must reach ChallengeHandler on port 80. Both ports then face the
//     Internet, so scanners will knock; handshakes for names that are not
//     configured fail before any certificate work.
//   - It is never for loopback names. No public CA certifies 127.0.0.1, ::1
//     or localhost, and a public name pointing at 127.0.0.1 with a shared key
//     is the pattern that got Spotify, Scratch Link and others revoked. The
//     local listener uses its own per-install CA instead.
//
// Config.Validate refuses wildcards, IP literals, localhost, single-label and
// special-use names, and the manager runs with a strict HostWhitelist, so a
// client cannot make the engine request certificates for arbitrary names.
// The cache directory holds private keys and is kept owner-only.
//
// Typical use:
//
//	r, err := remote.New(cfg, log)
//	ln, err := r.Listen()                 // TLS; serve the control handler on it
//	go http.Serve(challengeLn, r.ChallengeHandler()) // only when cfg.HTTPChallenge != ""
package remote
