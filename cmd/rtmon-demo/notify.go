package main

import (
	"fmt"
	"os"
	"os/user"
	"path/filepath"
)

// notifyConf is the exec block that sends collectd's notifications to
// rtmon-notify (docs/alerts.md), and the problems directory it records
// into, which the viewer shows at the top of the live page: stop the
// leecher's rTorrent and its "reachable" FAILURE appears there. Without
// build/rtmon-notify the demo runs without the box and says so.
func notifyConf(build, dir string) (conf, problems, note string) {
	bin := filepath.Join(build, "rtmon-notify")
	if _, err := os.Stat(bin); err != nil {
		return "", "", fmt.Sprintf("no %s: the live page shows no problems (go build -o %s ./cmd/rtmon-notify)", bin, bin)
	}
	problems = filepath.Join(dir, "problems")
	if err := os.MkdirAll(problems, 0o777); err != nil {
		return "", "", fmt.Sprintf("problems directory: %v", err)
	}
	// collectd's exec plugin refuses to run programs as root; as root the
	// program runs as nobody, who must reach the directory.
	who := "nobody"
	if os.Getuid() != 0 {
		if u, err := user.Current(); err == nil {
			who = u.Username
		}
	} else {
		os.Chmod(problems, 0o777)
		os.Chmod(dir, 0o755)
	}
	conf = fmt.Sprintf("LoadPlugin exec\n<Plugin exec>\n  NotificationExec %q %q \"-dir\" %q\n</Plugin>\n", who, bin, problems)
	return conf, problems, ""
}
