package e2e

import (
	"crypto/tls"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/localca"
	"github.com/wpservice/wpservice/internal/testpeer"
	"github.com/wpservice/wpservice/internal/trust"
)

// TestWSSWithTheLocalCertificate: with the certificate `wpservice trust install`
// leaves in the data directory, the engine also serves wss on its TLS port, and a
// client that trusts only that per-install root gets in.
func TestWSSWithTheLocalCertificate(t *testing.T) {
	var root *localca.CA
	tlsPort := testpeer.FreePort(t)
	e := startEngine(t, engineOptions{
		control: map[string]any{"tls": map[string]any{"port": tlsPort, "fallbackPorts": []int{}}},
		prepare: func(dataDir string) {
			ca, err := localca.Generate(time.Now())
			if err != nil {
				t.Fatal(err)
			}
			leaf, err := ca.IssueLeaf(time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if err := os.MkdirAll(dataDir, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := ca.Save(trust.TLSDir(dataDir), leaf); err != nil {
				t.Fatal(err)
			}
			if err := ca.DestroyKey(trust.TLSDir(dataDir)); err != nil {
				t.Fatal(err)
			}
			root = ca
		},
	})
	if _, err := os.Stat(filepath.Join(trust.TLSDir(e.dataDir), localca.LeafKeyFile)); err != nil {
		t.Fatal(err)
	}
	d := websocket.Dialer{TLSClientConfig: &tls.Config{RootCAs: root.CertPool(), MinVersion: tls.VersionTLS12}, HandshakeTimeout: 5 * time.Second}
	own := fmt.Sprintf("https://localhost:%d", tlsPort)
	conn, _, err := d.Dial(fmt.Sprintf("wss://localhost:%d/ws", tlsPort), http.Header{"Origin": {own}})
	if err != nil {
		t.Fatalf("wss: %v\n%s", err, e.logText())
	}
	defer conn.Close()
	p := &page{t: t, conn: conn}
	if m := p.auth(""); !m.OK {
		t.Fatalf("auth on wss: %+v", m.Error)
	}
	if m := p.read(); m.Event != api.EvHello {
		t.Fatalf("got %+v, want hello", m)
	}
	// A client that does not trust the root is refused by TLS itself.
	plain := websocket.Dialer{TLSClientConfig: &tls.Config{MinVersion: tls.VersionTLS12}, HandshakeTimeout: 5 * time.Second}
	if _, _, err := plain.Dial(fmt.Sprintf("wss://localhost:%d/ws", tlsPort), http.Header{"Origin": {own}}); err == nil {
		t.Fatal("a client without the local root trusted the engine's certificate")
	}
}
