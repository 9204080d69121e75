package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/url"
	"text/tabwriter"
	"time"

	"github.com/wpservice/wpservice/internal/api"
)

const pairUsage = `usage: wpservice pair <command> [--config FILE] [--socket PATH]

Web sites (origins such as https://crm.example.com) must be approved before they
can use the phone. A site that asks appears here and on the engine's own page.

commands:
  list             sites waiting for approval, approved sites, sites set by the administrator
  approve ORIGIN   allow a waiting site: it receives its token and may place and answer calls
  approve --account ORIGIN
                   also let it set up your phone account, when it asked for that: it can
                   then send your calls through a server it chooses
  deny ORIGIN      refuse a waiting site; it may not ask again for 10 minutes (a site that
                   is approved already and asked for more keeps what it had)
  revoke ORIGIN    withdraw an approved site; its open connections are closed
`

// pairCmd runs "wpservice pair ..." against the running engine's admin socket.
func pairCmd(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, pairUsage)
		return 2
	}
	sub, rest := args[0], args[1:]
	fs := flag.NewFlagSet("pair "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", "", "the engine's config file (to find its admin socket)")
	socket := fs.String("socket", "", "the admin socket (default: from the config)")
	account := fs.Bool("account", false, "approve: also let the site set up the phone account")
	fs.Usage = func() { fmt.Fprint(stderr, pairUsage) }
	positional, err := parseInterspersed(fs, rest)
	if err != nil {
		return 2
	}
	cmd, wantOrigin := map[string]string{
		"list": api.CmdPairList.Name, "approve": api.CmdPairApprove.Name, "deny": api.CmdPairDeny.Name, "revoke": api.CmdPairRevoke.Name,
	}[sub], sub != "list"
	if cmd == "" || wantOrigin && len(positional) != 1 || !wantOrigin && len(positional) != 0 || *account && sub != "approve" {
		fmt.Fprint(stderr, pairUsage)
		return 2
	}
	path := *socket
	if path == "" {
		cfg, err := loadConfig(*configPath)
		if err == nil {
			path, err = adminSocketPath(cfg)
		}
		if err != nil {
			fmt.Fprintln(stderr, "wpservice pair:", err)
			return 1
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := dialAdmin(ctx, path)
	if err != nil {
		fmt.Fprintln(stderr, "wpservice pair:", explainDial(path, err))
		return 1
	}
	defer c.Close()

	if !wantOrigin {
		var list api.PairingList
		if err := c.do(ctx, cmd, nil, &list); err != nil {
			fmt.Fprintln(stderr, "wpservice pair:", err)
			return 1
		}
		printPairings(stdout, list)
		return 0
	}
	origin := positional[0]
	var cmdArgs any = api.OriginArgs{Origin: origin}
	if sub == "approve" {
		cmdArgs = approveArgs(origin, *account)
	}
	if err := c.do(ctx, cmd, cmdArgs, nil); err != nil {
		fmt.Fprintln(stderr, "wpservice pair:", err)
		return 1
	}
	done := map[string]string{"approve": "approved", "deny": "denied", "revoke": "revoked"}[sub]
	if sub == "approve" {
		done = "approved: " + mayDo(approveArgs(origin, *account).Permission)
	}
	fmt.Fprintf(stdout, "%s: %s\n", origin, done)
	return 0
}

// approveArgs are pair.approve's args: calls only, or with account also the phone account.
func approveArgs(origin string, account bool) api.ApproveArgs {
	if account {
		return api.ApproveArgs{Origin: origin, Permission: api.PermAccount}
	}
	return api.ApproveArgs{Origin: origin, Permission: api.PermControl}
}

// wants says in plain words what a waiting site asks for.
func wants(r api.PairingRequest) string {
	host := siteName(r.Origin)
	if r.Permission == api.PermAccount {
		return host + " wants to set up your phone account: it could then send your calls " +
			"through a server it chooses (approve --account to allow, approve for calls only)"
	}
	return host + " wants to place and answer calls"
}

// mayDo says in plain words what a permission lets a site do.
func mayDo(perm string) string {
	switch perm {
	case api.PermAccount:
		return "calls and your phone account"
	case api.PermAdmin:
		return "everything, approving sites included"
	case api.PermRead:
		return "see the phone's state"
	}
	return "calls"
}

// siteName is an origin without its scheme, as a person names the site.
func siteName(origin string) string {
	if u, err := url.Parse(origin); err == nil && u.Host != "" {
		return u.Host
	}
	return origin
}

func printPairings(w io.Writer, l api.PairingList) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ORIGIN\tSTATE\tMAY\tSINCE\tEXPIRES")
	for _, r := range l.Pending {
		fmt.Fprintf(tw, "%s\twaiting\t%s\t%s\t%s\n", r.Origin, mayDo(r.Permission)+"?", r.Time, r.Expires)
	}
	for _, p := range l.Paired {
		fmt.Fprintf(tw, "%s\tapproved\t%s\t%s\t-\n", p.Origin, mayDo(p.Permission), p.Approved)
	}
	for _, p := range l.Provisioned {
		fmt.Fprintf(tw, "%s\tset by administrator (%s)\t%s\t-\t-\n", p.Origin, p.Permission, mayDo(p.Permission))
	}
	if !l.Enabled {
		fmt.Fprintln(tw, "(approving new sites is switched off in the config)")
	}
	tw.Flush()
	for _, r := range l.Pending {
		fmt.Fprintln(w, wants(r))
	}
}

// parseInterspersed parses flags that may come before or after the positional
// arguments ("pair approve ORIGIN --config FILE") and returns the positional ones.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return positional, nil
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
}
