// Package localca creates and keeps the per-install certificate authority
// that lets wpservice serve wss:// on loopback.
//
// Safari and strictly managed browsers refuse ws:// from an https page, so
// the engine can also listen with TLS. Each install generates its own root
// (never a key shared between installs, never a public name that resolves to
// 127.0.0.1). The root carries critical X.509 name constraints that permit
// only the DNS name "localhost" and the addresses 127.0.0.1 and ::1, so even a
// leaked root key cannot certify any other site. The root signs one leaf for
// those loopback names; the installer then trusts the root in the OS store,
// and DestroyKey removes the root key so that it can never sign again.
//
// Typical install flow:
//
//	ca, err := localca.Generate(now)
//	leaf, err := ca.IssueLeaf(now)
//	err = ca.Save(dir, leaf)
//	err = ca.DestroyKey(dir)
//
// At start the engine calls Load and serves the returned leaf; when
// NeedsRenewal reports true and the key is gone, the CA is generated again
// and re-trusted.
package localca
