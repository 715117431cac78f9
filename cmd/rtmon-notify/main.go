// Command rtmon-notify records collectd notifications for the viewer's
// live page. collectd's exec plugin runs it once per notification, the
// notification on standard input:
//
//	<Plugin exec>
//	  NotificationExec "rtmon" "/usr/local/bin/rtmon-notify" "-dir" "/var/lib/rtmon/problems"
//	</Plugin>
//
// A FAILURE or WARNING becomes a current problem, the matching OKAY
// clears it (package viewer/problems; docs/alerts.md). It exits non-zero
// with one line on standard error when the notification is malformed or
// cannot be recorded; collectd's exec plugin logs that line.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/rtmon/rtmon/viewer/problems"
)

// DefaultDir is where the viewer looks unless told otherwise
// (rtmon-viewer -problems-dir).
const DefaultDir = "/var/lib/rtmon/problems"

func main() {
	if err := run(os.Args[1:], os.Stdin, os.Stderr); err != nil {
		fmt.Fprintf(os.Stderr, "rtmon-notify: %v\n", err)
		os.Exit(1)
	}
}

func run(args []string, stdin io.Reader, stderr io.Writer) error {
	fs := flag.NewFlagSet("rtmon-notify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", DefaultDir, "problems directory the viewer reads (rtmon-viewer -problems-dir)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	n, err := problems.Parse(stdin)
	if err != nil {
		return err
	}
	if err := problems.Record(*dir, n, time.Now()); err != nil {
		return fmt.Errorf("%s %s/%s-%s: %w", n.Severity, n.Host, n.Plugin, n.PluginInstance, err)
	}
	return nil
}
