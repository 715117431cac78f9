package problems

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Bounds on what a notification may hold, and on the directory.
const (
	// MaxInput is the most bytes Parse reads: collectd's exec sends 7
	// header lines of names up to 127 bytes and a message up to 255.
	MaxInput = 4096
	// MaxName is collectd's DATA_MAX_NAME_LEN less the NUL.
	MaxName = 127
	// MaxMessage is collectd's NOTIF_MAX_MSG_LEN less the NUL.
	MaxMessage = 255
	// MaxProblems is how many problems the directory holds at most:
	// Record refuses a new one past it, List reads no more.
	MaxProblems = 1000
	// maxFile bounds one problem file as List reads it.
	maxFile = 2048
)

// RestartShown is how long a restart (an event with no OKAY) stays
// among the problems.
const RestartShown = time.Hour

// Notification is one collectd notification as the exec plugin writes
// it to a NotificationExec program's standard input.
type Notification struct {
	Severity       string    `json:"severity"` // FAILURE, WARNING or OKAY
	Time           time.Time `json:"-"`
	Host           string    `json:"host"`
	Plugin         string    `json:"plugin"`
	PluginInstance string    `json:"plugin_instance,omitempty"`
	Type           string    `json:"type,omitempty"`
	TypeInstance   string    `json:"type_instance,omitempty"`
	Message        string    `json:"message"`
}

// Problem is a current problem: the latest FAILURE or WARNING of its
// names, and when the first one of this run began.
type Problem struct {
	Notification
	// Since is when the problem began (epoch seconds), Last when it was
	// last said (a WARNING that became a FAILURE, say).
	Since float64 `json:"since"`
	Last  float64 `json:"last"`
}

// Parse reads one notification in the exec plugin's format: "Key: value"
// header lines, an empty line, the message. It reads at most MaxInput
// bytes and refuses names longer than collectd's or holding control
// characters, so a bad line is one error naming the field.
func Parse(r io.Reader) (Notification, error) {
	var n Notification
	raw, err := io.ReadAll(io.LimitReader(r, MaxInput+1))
	if err != nil {
		return n, fmt.Errorf("reading the notification: %w", err)
	}
	if len(raw) > MaxInput {
		return n, fmt.Errorf("notification longer than %d bytes", MaxInput)
	}
	sc := bufio.NewScanner(strings.NewReader(string(raw)))
	sc.Buffer(make([]byte, 0, MaxInput), MaxInput)
	var msg []string
	header := true
	for sc.Scan() {
		line := sc.Text()
		if header {
			if line == "" {
				header = false
				continue
			}
			key, val, ok := strings.Cut(line, ": ")
			if !ok {
				return n, fmt.Errorf("header line %q: want \"Key: value\"", cut(line, 60))
			}
			if err := n.set(key, val); err != nil {
				return n, err
			}
			continue
		}
		msg = append(msg, line)
	}
	n.Message = cut(oneLine(strings.Join(msg, " ")), MaxMessage)
	switch {
	case n.Severity == "":
		return n, errors.New("notification without a Severity line")
	case n.Host == "" || n.Plugin == "":
		return n, errors.New("notification without Host or Plugin")
	}
	return n, nil
}

func (n *Notification) set(key, val string) error {
	if key == "Severity" {
		switch val {
		case "FAILURE", "WARNING", "OKAY":
			n.Severity = val
			return nil
		}
		return fmt.Errorf("Severity %q: want FAILURE, WARNING or OKAY", cut(val, 20))
	}
	if key == "Time" {
		f, err := strconv.ParseFloat(val, 64)
		if err != nil || f < 0 || f > 1e11 || math.IsNaN(f) {
			return fmt.Errorf("Time %q: want epoch seconds", cut(val, 30))
		}
		n.Time = time.Unix(0, int64(f*1e9))
		return nil
	}
	dst := map[string]*string{"Host": &n.Host, "Plugin": &n.Plugin, "PluginInstance": &n.PluginInstance,
		"Type": &n.Type, "TypeInstance": &n.TypeInstance}[key]
	if dst == nil {
		// Meta data lines (DataSource, CurrentValue, ...) and whatever a
		// later collectd adds: not needed here.
		return nil
	}
	if len(val) > MaxName {
		return fmt.Errorf("%s: %d bytes, longer than collectd's %d", key, len(val), MaxName)
	}
	if !utf8.ValidString(val) || strings.IndexFunc(val, func(r rune) bool { return r < 0x20 || r == 0x7f }) >= 0 {
		return fmt.Errorf("%s %q: holds a control character or invalid UTF-8", key, cut(val, 60))
	}
	*dst = val
	return nil
}

// Key names the problem a notification raises or clears.
func (n Notification) Key() string {
	return strings.Join([]string{n.Host, n.Plugin, n.PluginInstance, n.Type, n.TypeInstance}, "\x00")
}

// fileName is the problem's file: a hash of its names, so no name
// reaches the file system.
func (n Notification) fileName() string {
	sum := sha256.Sum256([]byte(n.Key()))
	return hex.EncodeToString(sum[:16]) + ".json"
}

func oneLine(s string) string {
	s = strings.ToValidUTF8(s, "?")
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}

// cut shortens s to at most max bytes at a rune boundary.
func cut(s string, max int) string {
	if len(s) <= max {
		return s
	}
	for max > 0 && !utf8.RuneStart(s[max]) {
		max--
	}
	return s[:max]
}
