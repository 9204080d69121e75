package main

import (
	"context"
	"flag"
	"fmt"
	"io"
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
  deny ORIGIN      refuse a waiting site; it may not ask again for 10 minutes
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
	fs.Usage = func() { fmt.Fprint(stderr, pairUsage) }
	positional, err := parseInterspersed(fs, rest)
	if err != nil {
		return 2
	}
	cmd, wantOrigin := map[string]string{
		"list": api.CmdPairList.Name, "approve": api.CmdPairApprove.Name, "deny": api.CmdPairDeny.Name, "revoke": api.CmdPairRevoke.Name,
	}[sub], sub != "list"
	if cmd == "" || wantOrigin && len(positional) != 1 || !wantOrigin && len(positional) != 0 {
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
	if err := c.do(ctx, cmd, api.OriginArgs{Origin: origin}, nil); err != nil {
		fmt.Fprintln(stderr, "wpservice pair:", err)
		return 1
	}
	fmt.Fprintf(stdout, "%s: %sd\n", origin, map[string]string{"approve": "approve", "deny": "denie", "revoke": "revoke"}[sub])
	return 0
}

func printPairings(w io.Writer, l api.PairingList) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	defer tw.Flush()
	fmt.Fprintln(tw, "ORIGIN\tSTATE\tSINCE\tEXPIRES")
	for _, r := range l.Pending {
		fmt.Fprintf(tw, "%s\twaiting\t%s\t%s\n", r.Origin, r.Time, r.Expires)
	}
	for _, p := range l.Paired {
		fmt.Fprintf(tw, "%s\tapproved\t%s\t-\n", p.Origin, p.Approved)
	}
	for _, p := range l.Provisioned {
		fmt.Fprintf(tw, "%s\tset by administrator (%s)\t-\t-\n", p.Origin, p.Permission)
	}
	if !l.Enabled {
		fmt.Fprintln(tw, "(approving new sites is switched off in the config)")
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
