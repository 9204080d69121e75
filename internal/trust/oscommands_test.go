package trust

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// These tests check the command lines the macOS and Windows stores run,
// through the Runner seam; the tools themselves exist only on those OSes.

const testKeychain = "/Users/a/Library/Keychains/login.keychain-db"

// tempArg replaces the temporary certificate path in a recorded call.
func tempArg(c call) string {
	words := append([]string{c.name}, c.args...)
	for i, w := range words {
		if strings.HasSuffix(w, ".crt") {
			words[i] = "FILE"
		}
	}
	return strings.Join(words, " ")
}

func callLines(r *scriptRunner) []string {
	lines := make([]string, len(r.calls))
	for i, c := range r.calls {
		lines[i] = tempArg(c)
	}
	return lines
}

func TestKeychainStoreCommands(t *testing.T) {
	ca, nick, _ := newRoot(t)
	found := reply{out: `keychain: "` + testKeychain + `"` + "\n    \"alis\"<blob>=\"" + nick + "\"\n"}
	notFound := reply{out: "security: SecKeychainSearchCopyNext: The specified item could not be found in the keychain.", exit: 44}
	tests := []struct {
		name      string
		op        func(s *KeychainStore) (bool, error)
		replies   map[string][]reply
		wantCalls []string
		want      bool
		wantErr   bool
	}{
		{
			name: "install",
			op:   func(s *KeychainStore) (bool, error) { return false, s.Install(ca.CertPEM(), nick) },
			wantCalls: []string{
				"security add-trusted-cert -r trustRoot -k " + testKeychain + " FILE",
			},
		},
		{
			name:    "install refused by the user",
			op:      func(s *KeychainStore) (bool, error) { return false, s.Install(ca.CertPEM(), nick) },
			replies: map[string][]reply{"add-trusted-cert": {{out: "SecTrustSettingsSetTrustSettings: The authorization was canceled by the user.", exit: 1}}},
			wantCalls: []string{
				"security add-trusted-cert -r trustRoot -k " + testKeychain + " FILE",
			},
			wantErr: true,
		},
		{
			name:      "contains",
			op:        func(s *KeychainStore) (bool, error) { return s.Contains(nick) },
			replies:   map[string][]reply{"find-certificate": {found}},
			wantCalls: []string{"security find-certificate -a -c " + nick + " " + testKeychain},
			want:      true,
		},
		{
			name:      "contains, absent",
			op:        func(s *KeychainStore) (bool, error) { return s.Contains(nick) },
			replies:   map[string][]reply{"find-certificate": {notFound}},
			wantCalls: []string{"security find-certificate -a -c " + nick + " " + testKeychain},
		},
		{
			name:    "uninstall two copies",
			op:      func(s *KeychainStore) (bool, error) { return false, s.Uninstall(nick) },
			replies: map[string][]reply{"find-certificate": {found, found, notFound}},
			wantCalls: []string{
				"security find-certificate -a -c " + nick + " " + testKeychain,
				"security delete-certificate -c " + nick + " -t " + testKeychain,
				"security find-certificate -a -c " + nick + " " + testKeychain,
				"security delete-certificate -c " + nick + " -t " + testKeychain,
				"security find-certificate -a -c " + nick + " " + testKeychain,
			},
		},
		{
			name:      "uninstall, absent",
			op:        func(s *KeychainStore) (bool, error) { return false, s.Uninstall(nick) },
			replies:   map[string][]reply{"find-certificate": {notFound}},
			wantCalls: []string{"security find-certificate -a -c " + nick + " " + testKeychain},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &scriptRunner{replies: tt.replies}
			s := &KeychainStore{Keychain: testKeychain, Run: r.run}
			got, err := tt.op(s)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Fatalf("result = %v, %v; want %v, error %v", got, err, tt.want, tt.wantErr)
			}
			if fmt.Sprint(callLines(r)) != fmt.Sprint(tt.wantCalls) {
				t.Fatalf("commands:\n%s\nwant:\n%s", strings.Join(callLines(r), "\n"), strings.Join(tt.wantCalls, "\n"))
			}
			for _, data := range r.files {
				if data != string(ca.CertPEM()) {
					t.Fatalf("certificate file holds %q, want the root PEM", data)
				}
			}
		})
	}
}

func TestWindowsRootStoreCommands(t *testing.T) {
	ca, nick, _ := newRoot(t)
	found := reply{out: "Root\n================ Certificate 0 ================\nIssuer: CN=" + nick + "\nCertUtil: -store command completed successfully.\n"}
	notFound := reply{out: "CertUtil: -store command FAILED: 0x80092004 (-2146885628 CRYPT_E_NOT_FOUND)\n", exit: -2146885628}
	tests := []struct {
		name      string
		op        func(s *WindowsRootStore) (bool, error)
		replies   map[string][]reply
		wantCalls []string
		want      bool
		wantErr   bool
	}{
		{
			name:      "install",
			op:        func(s *WindowsRootStore) (bool, error) { return false, s.Install(ca.CertPEM(), nick) },
			wantCalls: []string{"certutil -user -addstore Root FILE"},
		},
		{
			name:      "install cancelled",
			op:        func(s *WindowsRootStore) (bool, error) { return false, s.Install(ca.CertPEM(), nick) },
			replies:   map[string][]reply{"-addstore": {{out: "CertUtil: -addstore command FAILED: 0x800704c7 (WIN32: 1223 ERROR_CANCELLED)", exit: 1}}},
			wantCalls: []string{"certutil -user -addstore Root FILE"},
			wantErr:   true,
		},
		{
			name:      "contains",
			op:        func(s *WindowsRootStore) (bool, error) { return s.Contains(nick) },
			replies:   map[string][]reply{"-store": {found}},
			wantCalls: []string{"certutil -user -store Root " + nick},
			want:      true,
		},
		{
			name:      "contains, absent",
			op:        func(s *WindowsRootStore) (bool, error) { return s.Contains(nick) },
			replies:   map[string][]reply{"-store": {notFound}},
			wantCalls: []string{"certutil -user -store Root " + nick},
		},
		{
			name:      "contains, other failure",
			op:        func(s *WindowsRootStore) (bool, error) { return s.Contains(nick) },
			replies:   map[string][]reply{"-store": {{out: "CertUtil: -store command FAILED: 0x80070005 (WIN32: 5 ERROR_ACCESS_DENIED)", exit: 1}}},
			wantCalls: []string{"certutil -user -store Root " + nick},
			wantErr:   true,
		},
		{
			name:    "uninstall",
			op:      func(s *WindowsRootStore) (bool, error) { return false, s.Uninstall(nick) },
			replies: map[string][]reply{"-store": {found, notFound}},
			wantCalls: []string{
				"certutil -user -store Root " + nick,
				"certutil -user -delstore Root " + nick,
				"certutil -user -store Root " + nick,
			},
		},
		{
			name:      "uninstall, absent",
			op:        func(s *WindowsRootStore) (bool, error) { return false, s.Uninstall(nick) },
			replies:   map[string][]reply{"-store": {notFound}},
			wantCalls: []string{"certutil -user -store Root " + nick},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &scriptRunner{replies: tt.replies}
			s := &WindowsRootStore{Run: r.run}
			got, err := tt.op(s)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Fatalf("result = %v, %v; want %v, error %v", got, err, tt.want, tt.wantErr)
			}
			if fmt.Sprint(callLines(r)) != fmt.Sprint(tt.wantCalls) {
				t.Fatalf("commands:\n%s\nwant:\n%s", strings.Join(callLines(r), "\n"), strings.Join(tt.wantCalls, "\n"))
			}
			for _, data := range r.files {
				if data != string(ca.CertPEM()) {
					t.Fatalf("certificate file holds %q, want the root PEM", data)
				}
			}
		})
	}
}

// TestUninstallStopsOnStuckCertificate: a tool that reports success but
// keeps the certificate must not loop forever.
func TestUninstallStopsOnStuckCertificate(t *testing.T) {
	_, nick, _ := newRoot(t)
	found := reply{out: "Issuer: CN=" + nick}
	r := &scriptRunner{replies: map[string][]reply{"-store": {found, found, found, found, found, found, found, found, found}}}
	err := (&WindowsRootStore{Run: r.run}).Uninstall(nick)
	if err == nil || !strings.Contains(err.Error(), "still present") {
		t.Fatalf("Uninstall = %v, want a still-present error", err)
	}
	if len(r.calls) != 2*maxDuplicates {
		t.Fatalf("%d commands, want %d", len(r.calls), 2*maxDuplicates)
	}
}

func TestNicknameRejectsForeignRoots(t *testing.T) {
	ca, nick, _ := newRoot(t)
	if !strings.HasPrefix(nick, "wpservice local CA ") || nick != ca.Certificate().Subject.CommonName {
		t.Fatalf("Nickname = %q", nick)
	}
	for _, cn := range []string{"", "DigiCert Global Root G2", "wpservice local CA", "wpservice local CA 0123456789ab extra", "wpservice local CA 0123456789AB"} {
		c := *ca.Certificate()
		c.Subject.CommonName = cn
		if _, err := Nickname(&c); !errors.Is(err, ErrForeignRoot) {
			t.Errorf("Nickname(%q) = %v, want ErrForeignRoot", cn, err)
		}
	}
}
