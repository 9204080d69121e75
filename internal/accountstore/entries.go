package accountstore

import (
	"errors"
	"fmt"

	"github.com/wpservice/wpservice/internal/secret"
)

// The account's password lives in one of two keeper entries, 0 and 1, and the account
// file names the one in use (document.PasswordEntry). The keeper (an OS keyring, most
// often) cannot take part in the account file's atomic rename, so a change goes in
// three steps, each of which leaves a consistent state if the engine dies after it:
//
//  1. the new password is written to the other entry: the account file still names
//     the old one, which still holds the old password;
//  2. the account file naming the other entry is renamed into place: the change is
//     made, the new account and its password go together;
//  3. the entry left is deleted.
//
// Recover, at start, deletes the entry the account file does not name: the new
// password of a change that died before step 2, or the old one of a change that died
// before step 3. Two fixed names, unlike a revision per change, need no listing of
// the keyring, which its APIs do not offer, and leave nothing behind for ever when a
// delete fails: the next change overwrites that entry.

// passwordName is the keeper's name for entry 0 of the account's password. It names
// the data directory, so two engines with their own data directories keep their own
// password. Release 1 chose it: changing it would lose every saved password.
func (s *Store) passwordName() string { return "sip-password:" + s.docs.Dir() }

// entryName is the keeper's name for entry e (0 or 1) of the account's password.
func (s *Store) entryName(e int) string {
	if e == 0 {
		return s.passwordName()
	}
	return fmt.Sprintf("%s#%d", s.passwordName(), e)
}

// Recover deletes the password entry that the account file does not name, which a
// crash during SaveAccount may have left behind, or both entries when there is no
// account file. It touches nothing when the file cannot be read (corrupt, or from a
// newer release), since it cannot know which entry is in use. Call it at start,
// before Load.
func (s *Store) Recover() error {
	doc, exists, err := s.readDoc()
	if err != nil {
		return err
	}
	stale := []int{0, 1}
	if exists {
		stale = []int{1 - doc.PasswordEntry}
	}
	var errs []error
	for _, e := range stale {
		errs = append(errs, s.setEntry(e, ""))
	}
	return errors.Join(errs...)
}

// setEntry stores pw in entry e, or deletes the entry when pw is empty.
func (s *Store) setEntry(e int, pw string) error {
	name := s.entryName(e)
	var err error
	if pw == "" {
		if err = s.keeper.Delete(name); errors.Is(err, secret.ErrNotFound) {
			err = nil
		}
	} else {
		err = s.keeper.Set(name, pw)
	}
	if err != nil {
		return fmt.Errorf("saving the password (%s): %w", s.keeper.Kind(), err)
	}
	return nil
}
