package accountstore

import "github.com/wpservice/wpservice/internal/account"

// read returns the accounts of the account file; no file is no account.
func (s *Store) read() ([]account.Account, error) {
	doc, _, err := s.readDoc()
	out := make([]account.Account, len(doc.Accounts))
	for i, r := range doc.Accounts {
		out[i] = r.Account
	}
	return out, err
}
