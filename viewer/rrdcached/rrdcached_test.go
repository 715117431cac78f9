package rrdcached

import (
	"bufio"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rtmon/rtmon/internal/testenv"
)

func TestParseAddr(t *testing.T) {
	for _, tc := range []struct {
		in, network, addr string
		bad               bool
	}{
		{in: "unix:/run/rrdcached.sock", network: "unix", addr: "/run/rrdcached.sock"},
		{in: "/run/rrdcached.sock", network: "unix", addr: "/run/rrdcached.sock"},
		{in: "127.0.0.1:42217", network: "tcp", addr: "127.0.0.1:42217"},
		{in: "", bad: true},
		{in: "rrdcached", bad: true},
		{in: "unix:" + strings.Repeat("a", maxPath), bad: true},
	} {
		n, a, err := parseAddr(tc.in)
		if tc.bad != (err != nil) || n != tc.network || a != tc.addr {
			t.Errorf("parseAddr(%.40q) = %q, %q, %v", tc.in, n, a, err)
		}
	}
}

// fakeServer answers every line with reply: a fault a real rrdcached
// does not produce (an endless line, garbage, silence).
func fakeServer(t *testing.T, reply string) string {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "s")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				br := bufio.NewReader(c)
				for {
					if _, err := br.ReadString('\n'); err != nil {
						return
					}
					if reply == "" {
						time.Sleep(5 * time.Second)
						return
					}
					c.Write([]byte(reply))
				}
			}()
		}
	}()
	return sock
}

// TestFlushBadReplies: every broken reply is a one-line error within the
// deadline, and the status reports it.
func TestFlushBadReplies(t *testing.T) {
	for _, tc := range []struct{ name, reply, want string }{
		{"line past the bound", strings.Repeat("x", maxLine+1) + "\n", "over"},
		{"not a status", "hello\n", "not a number"},
		{"too many lines", "100000 lines follow\n", "more lines"},
		{"refusal", "-1 Permission denied\n", "Permission denied"},
		{"silence", "", "timeout"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := New("unix:" + fakeServer(t, tc.reply))
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
			defer cancel()
			start := time.Now()
			err = c.Flush(ctx, "/x/a.rrd")
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("Flush = %v, want one line containing %q", err, tc.want)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("Flush took %v", d)
			}
			if st := c.Status(); st.OK || st.Failures != 1 || st.LastError == "" {
				t.Errorf("Status = %+v, want the failure reported", st)
			}
		})
	}
}

func TestFlushRefusesNames(t *testing.T) {
	c, _ := New("unix:" + fakeServer(t, "0 ok\n"))
	for _, name := range []string{"", "/a\nFLUSHALL", "/a\x00b", "/" + strings.Repeat("a", maxPath)} {
		if err := c.Flush(context.Background(), name); err == nil {
			t.Errorf("Flush(%.40q) sent", name)
		}
	}
}

// TestFlushRealRRDCached: a real rrdcached holds an update in its cache
// (-w 3600); after Flush the file on disk has it. A file with nothing
// pending and a stopped rrdcached are handled as documented.
func TestFlushRealRRDCached(t *testing.T) {
	testenv.Need(t, "rrdcached", "rrdtool")
	dir, err := os.MkdirTemp("", "rrc")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	sock := filepath.Join(dir, "s")
	d := testenv.StartDaemon(t, "rrdcached", "/usr/bin/rrdcached",
		[]string{"-g", "-l", "unix:" + sock, "-b", dir, "-B", "-w", "3600", "-z", "1", "-p", filepath.Join(dir, "pid")}, dir, filepath.Join(dir, "log"))
	for i := 0; ; i++ {
		if _, err := os.Stat(sock); err == nil {
			break
		}
		if i == 200 {
			t.Fatalf("rrdcached's socket never appeared")
		}
		time.Sleep(50 * time.Millisecond)
	}
	file := filepath.Join(dir, "a.rrd")
	now := time.Now().Unix()
	run := func(args ...string) string {
		out, err := exec.Command("rrdtool", args...).CombinedOutput()
		if err != nil {
			t.Fatalf("rrdtool %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	run("create", file, "--start", itoa(now-100), "--step", "10", "DS:v:GAUGE:20:U:U", "RRA:LAST:0:1:100")
	run("update", "--daemon", "unix:"+sock, file, itoa(now-10)+":42")
	if out := run("lastupdate", file); strings.Contains(out, "42") {
		t.Fatalf("the update is on disk before any flush (rrdcached did not cache it):\n%s", out)
	}
	c, err := New("unix:" + sock)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Flush(context.Background(), file); err != nil {
		t.Fatalf("Flush: %v", err)
	}
	if out := run("lastupdate", file); !strings.Contains(out, "42") {
		t.Errorf("after Flush the file does not hold the update:\n%s", out)
	}
	if err := c.Flush(context.Background(), filepath.Join(dir, "nothing-pending.rrd")); err != nil {
		t.Errorf("Flush of a file with nothing pending: %v, want nil", err)
	}
	d.Stop()
	if err := c.Flush(context.Background(), file); err == nil {
		t.Errorf("Flush with rrdcached stopped succeeded")
	}
	if st := c.Status(); st.OK || st.LastError == "" || st.Flushes != 3 {
		t.Errorf("Status = %+v, want 3 flushes, the last failed", st)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
