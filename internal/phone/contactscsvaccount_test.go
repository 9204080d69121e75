package phone

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/wpservice/wpservice/internal/api"
)

// A CSV's fifth column, or the column a header names account, is the account a
// contact is watched from, by id or user@server; an unknown account skips its line
// and says which; without the column every contact is the default account's.
func TestContactsImportAccount(t *testing.T) {
	r, _ := newMultiRig(t, nil)
	id := r.mustDo(api.CmdAccountAdd.Name, &sales).(api.AccountInfo).ID
	doc := "Bob,2001,1,1," + id + "\n" + // by id
		"Carol,2002,0,1,2001@sales.example.com\n" + // by user@server
		"Dan,2003,1,0,\n" + // empty: the default
		"Eve,2004,1,1,alice@127.0.0.1:5060\n" + // the default's user@server
		"Fay,2005,1,1,nobody\n"
	res := r.mustDo(api.CmdContactsImport.Name, &api.ImportArgs{CSV: doc}).(api.ImportResult)
	if res.Added != 4 || len(res.Skipped) != 1 || res.Skipped[0].Line != 5 || !strings.Contains(res.Skipped[0].Reason, `no account "nobody"`) {
		t.Fatalf("import %+v", res)
	}
	accounts := map[string]string{}
	for _, c := range r.mustDo(api.CmdContactsList.Name, nil).(api.ContactList).Contacts {
		accounts[c.Name] = c.Account
	}
	if want := map[string]string{"Bob": id, "Carol": id, "Dan": "", "Eve": ""}; !maps.Equal(accounts, want) {
		t.Fatalf("accounts %v, want %v", accounts, want)
	}

	// a header names the columns, in its own order; without an account column the
	// contacts are the default's
	res = r.mustDo(api.CmdContactsImport.Name, &api.ImportArgs{CSV: "Account;Number;Name\n" + id + ";3001;Gus\n;3002;Hal\n", Replace: true}).(api.ImportResult)
	list := r.mustDo(api.CmdContactsList.Name, nil).(api.ContactList).Contacts
	if res.Added != 2 || len(list) != 2 || list[0].Name != "Gus" || list[0].Account != id || list[1].Account != "" {
		t.Fatalf("import with a header: %+v, %+v", res, list)
	}
	// an account column of any length is named in the reason, clipped
	res = r.mustDo(api.CmdContactsImport.Name, &api.ImportArgs{CSV: "Jo,3004,1,1," + strings.Repeat("x", 10000) + "\n"}).(api.ImportResult)
	if len(res.Skipped) != 1 || len(res.Skipped[0].Reason) > 200 {
		t.Fatalf("a long unknown account: skipped %d, reason of %d bytes", len(res.Skipped), len(res.Skipped[0].Reason))
	}
	res = r.mustDo(api.CmdContactsImport.Name, &api.ImportArgs{CSV: "Ivy,3003,1,1\n", Replace: true}).(api.ImportResult)
	list = r.mustDo(api.CmdContactsList.Name, nil).(api.ContactList).Contacts
	if res.Added != 1 || list[0].Account != "" {
		t.Fatalf("import without the column: %+v, %+v", res, list)
	}
}

// The columns a header names, and the lines that are no header.
func TestCSVHeaderColumns(t *testing.T) {
	for _, tc := range []struct {
		rec  []string
		want []string
	}{
		{[]string{"Name", "Number"}, []string{"name", "number"}},
		{[]string{" number", "ACCOUNT", "name", "blf"}, []string{"number", "account", "name", "blf"}},
		{[]string{"name", "account"}, nil},            // no number
		{[]string{"name", "number", "name"}, nil},     // twice
		{[]string{"name", "number", "email"}, nil},    // unknown
		{[]string{"Bob", "2001", "1", "1", "2"}, nil}, // a contact
	} {
		got, ok := headerColumns(tc.rec)
		if ok != (tc.want != nil) || !slices.Equal(got, tc.want) {
			t.Errorf("headerColumns(%q) = %q, %v; want %q", tc.rec, got, ok, tc.want)
		}
	}
	rows, skipped, err := parseContactsCSV("Carol,2002,,,sales\nBob,2001,1,1,sales,extra\n")
	if err != nil || len(rows) != 1 || rows[0].c.Account != "sales" || len(skipped) != 1 || skipped[0].Line != 2 ||
		skipped[0].Reason != "want name,number[,presence[,blf[,account]]]" {
		t.Fatalf("rows %+v, skipped %+v, err %v", rows, skipped, err)
	}
}
