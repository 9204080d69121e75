package accountstore

import (
	"errors"
	"fmt"

	"github.com/wpservice/wpservice/internal/account"
	"github.com/wpservice/wpservice/internal/secret"
)

// Each account's password lives in one of two keeper entries of its own, 0 and 1,
// and the account file names the one in use (record.PasswordEntry). The keeper (an
// OS keyring, most often) cannot take part in the account file's atomic rename, so a
// change goes in three steps, each of which leaves a consistent state if the engine
// dies after it:
//
//  1. the new password is written to the account's other entry: the account file
//     still names the old one, which still holds the old password;
//  2. the account file naming the other entry is renamed into place: the change is
//     made, the new account and its password go together;
//  3. the entry left is deleted.
//
// Adding an account writes entry 0 of the id the file says comes next (NextID)
// before the file that holds the account; removing one renames the file without
// it, the id listed as retired, then deletes both its entries and the file's note.
//
// Recover, at start, deletes what no account file names: each account's other
// entry (the new password of a change that died before step 2, or the old one of a
// change that died before step 3), both entries of the next id (an addition that
// died before its file) and of every retired id (a removal that died before its
// deletes). Fixed names, unlike a revision per change, need no listing of the
// keyring, which its APIs do not offer, and leave nothing behind for ever when a
// delete fails: the next change overwrites that entry, or the next start deletes it.

// passwordName is the keeper's name for entry 0 of account 1's password. It names
// the data directory, so two engines with their own data directories keep their own
// password. Release 1 chose it: changing it would lose every saved password.
func (s *Store) passwordName() string { return "sip-password:" + s.docs.Dir() }

// entryName is the keeper's name for entry e (0 or 1) of account 1's password.
func (s *Store) entryName(e int) string { return s.entryOf(account.FirstID, e) }

// entryOf is the keeper's name for entry e (0 or 1) of the password of the account
// with id: release 1's names for account 1, names of their own for the others.
func (s *Store) entryOf(id string, e int) string {
	name := s.passwordName()
	if id != account.FirstID {
		name += "#account-" + id
	}
	if e == 1 {
		name += "#1"
	}
	return name
}

// Recover deletes the password entries that the account file does not name, which a
// crash during a change may have left behind (all of account 1's when there is no
// account file), and brings a file without account ids to the current form. It
// touches nothing when the file cannot be read (corrupt, or from a newer release),
// since it cannot know which entries are in use. Call it at start, before Load.
func (s *Store) Recover() error {
	doc, exists, err := s.readDoc()
	if err != nil {
		return err
	}
	if !exists {
		return errors.Join(s.setEntry(account.FirstID, 0, ""), s.setEntry(account.FirstID, 1, ""))
	}
	var errs []error
	for _, r := range doc.Accounts {
		errs = append(errs, s.setEntry(r.ID, 1-r.PasswordEntry, ""))
	}
	next := fmt.Sprint(doc.NextID)
	errs = append(errs, s.setEntry(next, 0, ""), s.setEntry(next, 1, ""))
	retired := doc.Retired
	doc.Retired = nil
	for _, id := range retired {
		if err := errors.Join(s.setEntry(id, 0, ""), s.setEntry(id, 1, "")); err != nil {
			errs = append(errs, err)
			doc.Retired = append(doc.Retired, id)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	if len(retired) > 0 || doc.unnumbered {
		return s.migrate(doc)
	}
	return nil
}

// setEntry stores pw in entry e of the account with id, or deletes the entry when pw
// is empty.
func (s *Store) setEntry(id string, e int, pw string) error {
	name := s.entryOf(id, e)
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
