// Package forkguard tells whether collectd is about to fork into the
// background. The Go runtime does not survive fork(): collectd started
// without -f loads its plugins, then forks to daemonize, and in the child
// a Go plugin's reads stop and SIGTERM hangs. The plugin asks this package
// at load time (before the fork) and stays inactive when collectd will
// fork, so collectd keeps its other plugins and stops cleanly.
//
// collectd 5.12 stays in the foreground when
//   - -f is given, or -T (test reads, then exit); -t tests the config and
//     exits before the fork point;
//   - UPSTART_JOB is "collectd" (it stops itself for upstart instead);
//   - NOTIFY_SOCKET names an absolute or abstract ('@') unix socket and
//     sending READY=1 to it succeeds (systemd's Type=notify unit).
//
// Otherwise it forks, including when NOTIFY_SOCKET is set but nobody
// listens on it.
package forkguard

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"strings"
	"time"
)

// Decision is the verdict and a reason to log.
type Decision struct {
	Forks  bool
	Reason string
}

// Decide applies collectd 5.12's rules to its command line (argv[0]
// first), its environment, and whether a unix datagram socket answers.
// It is a pure function of its arguments.
func Decide(argv []string, getenv func(string) string, answers func(addr string) bool) Decision {
	var args []string
	if len(argv) > 1 {
		args = argv[1:]
	}
	flags := shortFlags(args)
	switch {
	case flags['f']:
		return Decision{Reason: "collectd runs with -f (in the foreground)"}
	case flags['T']:
		return Decision{Reason: "collectd runs with -T (test reads, in the foreground)"}
	case flags['t']:
		return Decision{Reason: "collectd runs with -t (config test, exits before forking)"}
	case flags['h']:
		return Decision{Reason: "collectd runs with -h (prints help and exits)"}
	}
	if getenv("UPSTART_JOB") == "collectd" {
		return Decision{Reason: "collectd is supervised by upstart (UPSTART_JOB=collectd)"}
	}
	sock := getenv("NOTIFY_SOCKET")
	if sock == "" {
		return Decision{Forks: true, Reason: "collectd was started without -f and without a systemd notify socket"}
	}
	if len(sock) < 2 || (sock[0] != '/' && sock[0] != '@') {
		return Decision{Forks: true, Reason: fmt.Sprintf("collectd was started without -f and NOTIFY_SOCKET=%q is neither an absolute path nor an abstract socket", sock)}
	}
	if !answers(sock) {
		return Decision{Forks: true, Reason: fmt.Sprintf("collectd was started without -f and nobody answers on NOTIFY_SOCKET=%q", sock)}
	}
	return Decision{Reason: fmt.Sprintf("collectd is supervised by systemd (NOTIFY_SOCKET=%q answers)", sock)}
}

// shortFlags scans arguments as collectd's getopt("BhtTC:P:f") does and
// returns the flags seen. Arguments of -C and -P (attached or next) are
// skipped; GNU getopt permutes, so a non-option does not end the scan,
// "--" does.
func shortFlags(args []string) map[byte]bool {
	seen := map[byte]bool{}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			break
		}
		if len(a) < 2 || a[0] != '-' {
			continue
		}
		for j := 1; j < len(a); j++ {
			c := a[j]
			if c == 'C' || c == 'P' {
				if j == len(a)-1 {
					i++ // the value is the next argument
				}
				break
			}
			seen[c] = true
		}
	}
	return seen
}

// Check decides for the running process: its command line from
// /proc/self/cmdline (os.Args if that cannot be read), its environment,
// and a real connect to the notify socket.
func Check() Decision {
	argv := os.Args
	if b, err := os.ReadFile("/proc/self/cmdline"); err == nil && len(b) > 0 {
		argv = argvFromCmdline(b)
	}
	return Decide(argv, os.Getenv, SocketAnswers)
}

// argvFromCmdline splits /proc/<pid>/cmdline: arguments each end in NUL
// (an empty argument is just a NUL).
func argvFromCmdline(b []byte) []string {
	if len(b) == 0 {
		return nil
	}
	return strings.Split(string(bytes.TrimSuffix(b, []byte{0})), "\x00")
}

// SocketAnswers reports whether a datagram could be sent to the unix
// socket at addr ('@' for Linux's abstract namespace, which Go's net
// package maps itself). It connects without sending: collectd sends
// READY=1 itself once it has decided not to fork.
func SocketAnswers(addr string) bool {
	d := net.Dialer{Timeout: time.Second}
	c, err := d.Dial("unixgram", addr)
	if err != nil {
		return false
	}
	c.Close()
	return true
}
