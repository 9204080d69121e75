// Command wpservice is the softphone engine: a SIP/RTP phone with local audio, driven
// by web pages through a JSON WebSocket on 127.0.0.1.
//
//	wpservice run [--config FILE]     the engine in the foreground
//	wpservice version
//	wpservice install | uninstall | start | stop | status   the per-user service
//	wpservice pair list | approve | deny | revoke ORIGIN     the web sites that may use the phone
//	wpservice trust install | uninstall | status              the local certificate for wss://
package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/wpservice/wpservice/internal/api"
)

// version is set at build time (-ldflags "-X main.version=...").
var version = "dev"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `usage: wpservice <command> [flags]

commands:
  run        run the engine in the foreground (--config FILE, --log-level LEVEL)
  version    print the version
  install    install the per-user service that starts the engine at logon
  uninstall  remove the per-user service
  start      start the installed service
  stop       stop the installed service
  status     print the service status
  pair       list, approve, deny or revoke the web sites that may use the phone
  trust      install, uninstall or check the local certificate for wss:// (Safari)
`

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "run":
		return runEngineCmd(rest, stderr)
	case "version", "--version", "-v":
		fmt.Fprintf(stdout, "wpservice %s (protocol %d)\n", version, api.ProtocolVersion)
		return 0
	case "install", "uninstall", "start", "stop", "status":
		return serviceCmd(cmd, rest, stdout, stderr)
	case "pair":
		return pairCmd(rest, stdout, stderr)
	case "trust":
		return trustCmd(rest, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "wpservice: unknown command %q\n\n%s", cmd, usage)
	return 2
}

// runFlags are the flags of "run" (and of the service, which runs "run").
type runFlags struct {
	config   string
	logLevel string
}

func parseRunFlags(args []string, stderr io.Writer) (runFlags, error) {
	var f runFlags
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.config, "config", "", "config file (default: config.json in the user config dir, if present)")
	fs.StringVar(&f.logLevel, "log-level", "", "debug, info, warn or error (overrides the config)")
	return f, fs.Parse(args)
}
