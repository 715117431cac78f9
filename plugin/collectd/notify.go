package collectd

// #include "glue.h"
import "C"

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"collectd.org/cdtime"
)

// Severity is a notification's severity, as collectd numbers it
// (NOTIF_FAILURE, NOTIF_WARNING, NOTIF_OKAY).
type Severity int

const (
	SevFailure Severity = C.NOTIF_FAILURE
	SevWarning Severity = C.NOTIF_WARNING
	SevOkay    Severity = C.NOTIF_OKAY
)

// String is the severity as collectd's exec and notify_email write it.
func (s Severity) String() string {
	switch s {
	case SevFailure:
		return "FAILURE"
	case SevWarning:
		return "WARNING"
	case SevOkay:
		return "OKAY"
	}
	return fmt.Sprintf("severity(%d)", int(s))
}

// Notification is one collectd notification. An empty Host collectd's
// own host name fills in, a zero Time now.
type Notification struct {
	Severity       Severity
	Time           time.Time
	Host           string
	Plugin         string
	PluginInstance string
	Type           string
	TypeInstance   string
	Message        string
}

// MaxMessage is the longest message collectd keeps (NOTIF_MAX_MSG_LEN
// less the NUL). Notify cuts a longer one at a rune boundary and ends it
// with "…": a message is a cause to read, and the end of a long error
// matters less than delivering it.
const MaxMessage = C.NOTIF_MAX_MSG_LEN - 1

// Notify hands one notification to collectd (plugin_dispatch_notification),
// which copies it and passes it to every notification callback (exec,
// notify_email, network, ...). Like Write it refuses once ctx is done
// and refuses names that do not fit collectd's buffers or hold a NUL;
// the message it shortens instead, and puts on one line.
func Notify(ctx context.Context, n Notification) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if n.Plugin == "" {
		return fmt.Errorf("notification %q: no plugin name", n.Message)
	}
	switch n.Severity {
	case SevFailure, SevWarning, SevOkay:
	default:
		return fmt.Errorf("notification %s/%s: unknown severity %d", n.Plugin, n.PluginInstance, int(n.Severity))
	}
	var cn C.notification_t
	cn.severity = C.int(n.Severity)
	for _, f := range []struct {
		dst   []C.char
		what  string
		value string
	}{
		{cn.host[:], "host", n.Host},
		{cn.plugin[:], "plugin", n.Plugin},
		{cn.plugin_instance[:], "plugin instance", n.PluginInstance},
		{cn._type[:], "type", n.Type},
		{cn.type_instance[:], "type instance", n.TypeInstance},
	} {
		if err := setName(f.dst, f.value); err != nil {
			return fmt.Errorf("notification %s/%s: %s: %w", n.Plugin, n.PluginInstance, f.what, err)
		}
	}
	msg := OneLine(n.Message, MaxMessage)
	for i := 0; i < len(msg); i++ {
		cn.message[i] = C.char(msg[i])
	}
	cn.message[len(msg)] = 0
	if !n.Time.IsZero() {
		cn.time = C.cdtime_t(cdtime.New(n.Time))
	}
	if rc := C.rtmon_notify(&cn); rc != 0 {
		return fmt.Errorf("notification %s/%s: plugin_dispatch_notification failed with status %d", n.Plugin, n.PluginInstance, int(rc))
	}
	return nil
}

// OneLine is s with control characters (newlines, NUL) turned into
// spaces, cut to at most max bytes at a rune boundary, ending in "…" when
// cut. collectd's exec plugin writes the message as the last line of what
// a NotificationExec program reads, and a log line is one line.
func OneLine(s string, max int) string {
	s = strings.ToValidUTF8(s, "?")
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	if len(s) <= max {
		return s
	}
	const ell = "…"
	cut := max - len(ell)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + ell
}
