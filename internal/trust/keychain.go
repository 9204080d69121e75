package trust

import (
	"fmt"
	"strings"
)

// securityNotFound is the exit status of the macOS security tool when no
// keychain item matches (errSecItemNotFound).
const securityNotFound = 44

// KeychainStore is the macOS login keychain with a user trust setting, as
// made by "security add-trusted-cert -r trustRoot". macOS asks the user to
// confirm (password or Touch ID) while the command runs. Safari and Chrome
// on macOS read it.
type KeychainStore struct {
	// Keychain is the login keychain file,
	// ~/Library/Keychains/login.keychain-db.
	Keychain string
	// Run runs security; nil means ExecRunner.
	Run Runner
}

// Name implements Store.
func (s *KeychainStore) Name() string { return "macOS login keychain (" + s.Keychain + ")" }

// Install implements Store.
func (s *KeychainStore) Install(pem []byte, nick string) error {
	return withTempPEM(pem, func(path string) error {
		_, err := s.security("add-trusted-cert", "-r", "trustRoot", "-k", s.Keychain, path)
		return err
	})
}

// Uninstall implements Store: it deletes the certificate by its common name
// together with its trust settings (-t).
func (s *KeychainStore) Uninstall(nick string) error {
	return deleteAll(s, nick, func() error {
		_, err := s.security("delete-certificate", "-c", nick, "-t", s.Keychain)
		if exitCode(err) == securityNotFound {
			return nil
		}
		return err
	})
}

// Contains implements Store: a certificate with exactly this common name is
// in the keychain.
func (s *KeychainStore) Contains(nick string) (bool, error) {
	out, err := s.security("find-certificate", "-a", "-c", nick, s.Keychain)
	if exitCode(err) == securityNotFound {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return strings.Contains(string(out), `="`+nick+`"`), nil
}

func (s *KeychainStore) security(args ...string) ([]byte, error) {
	out, err := run(s.Run, "security", args...)
	return out, toolMissing(err, "the macOS security tool is missing from /usr/bin")
}

// maxDuplicates bounds the delete loops of stores that remove one match at
// a time.
const maxDuplicates = 8

// deleteAll calls del while s still contains nick, for tools that delete
// one matching certificate per call.
func deleteAll(s Store, nick string, del func() error) error {
	for range maxDuplicates {
		present, err := s.Contains(nick)
		if err != nil || !present {
			return err
		}
		if err := del(); err != nil {
			return err
		}
	}
	return fmt.Errorf("trust: %s: %q still present after %d deletions", s.Name(), nick, maxDuplicates)
}
