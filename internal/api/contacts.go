package api

// The contact list the engine keeps (contacts.*): names and numbers, and for each
// whether its presence and its busy lamp are watched.

// The contact list's commands.
var (
	CmdContactsList   = declare[NoArgs, ContactList]("contacts.list", PermRead)
	CmdContactsSet    = declare[ContactArgs, Contact]("contacts.set", PermControl)        // add (no id) or change one
	CmdContactsDelete = declare[ContactRef, Empty]("contacts.delete", PermControl)        // not_found for an unknown id
	CmdContactsImport = declare[ImportArgs, ImportResult]("contacts.import", PermControl) // CSV: name,number[,presence[,blf[,account]]]
)

// EvContacts reports the whole list after each change.
const EvContacts = "contacts.changed" // ContactList

// Contact is one entry of the contact list.
type Contact struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Number   string `json:"number"`             // a number, a user or a SIP URI: what is dialled and watched
	Presence bool   `json:"presence,omitempty"` // watch its presence (RFC 3856)
	BLF      bool   `json:"blf,omitempty"`      // watch its busy lamp (RFC 4235)
	// Account is the id of the account (accounts.list) its subscriptions go from;
	// absent: the default account.
	Account string `json:"account,omitempty"`
}

// ContactList is the contact list, in the order of its names.
type ContactList struct {
	Contacts []Contact `json:"contacts"`
}

// ContactArgs adds a contact (no ID) or changes the one with ID; omitted
// fields of a change keep their value, and a new contact needs a number.
type ContactArgs struct {
	ID       string  `json:"id,omitempty"`
	Name     *string `json:"name,omitempty"`
	Number   *string `json:"number,omitempty"`
	Presence *bool   `json:"presence,omitempty"`
	BLF      *bool   `json:"blf,omitempty"`
	// Account is the id of the account its subscriptions go from; "" the default.
	Account *string `json:"account,omitempty"`
}

// ContactRef names a contact.
type ContactRef struct {
	ID string `json:"id"`
}

// ImportArgs adds the contacts of a CSV document: one per line, "name,number" and
// optionally presence and BLF flags (1/0, true/false, yes/no) and the account the
// contact is watched from (an id of accounts.list, or the account's user@server;
// empty or absent: the default; an unknown one skips the line). A first line naming
// the columns (name, number, presence, blf, account) sets their order and is not a
// contact. With Replace the list is replaced instead.
type ImportArgs struct {
	CSV     string `json:"csv"`
	Replace bool   `json:"replace,omitempty"`
}

// ImportResult says what an import did: the contacts added, and the lines it
// skipped (1-based) with why.
type ImportResult struct {
	Added   int          `json:"added"`
	Skipped []SkippedRow `json:"skipped,omitempty"`
}

// SkippedRow is a line of an import that was not taken.
type SkippedRow struct {
	Line   int    `json:"line"`
	Reason string `json:"reason"`
}
