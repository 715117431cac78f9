package pluginconf

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	cdconfig "collectd.org/config"

	"github.com/rtmon/rtmon/internal/reader"
	"github.com/rtmon/rtmon/internal/rtorrent"
	"github.com/rtmon/rtmon/plugin/alerts"
)

// option reads one option into the instance being built.
type option func(in *Instance, v cdconfig.Value) error

// options are the keys an <Instance> block takes, matched without regard
// to case as collectd does. docs/configuration.md describes each.
var options = map[string]option{
	"url": str(func(in *Instance, s string) error {
		if _, err := rtorrent.ParseURL(s); err != nil {
			return err
		}
		in.Client.URL = s
		return nil
	}),
	"username":           str(func(in *Instance, s string) error { in.Client.Username = s; return nil }),
	"password":           secret(func(in *Instance, s string) { in.Client.Password = s }),
	"cafile":             str(func(in *Instance, s string) error { in.Client.CAFile = s; return nil }),
	"insecureskipverify": boolean(func(in *Instance, b bool) { in.Client.InsecureSkipVerify = b }),
	"timeout":            seconds(func(in *Instance, d time.Duration) { in.Timeout = d }),
	// Bounds below keep a tiny positive value from rounding to zero, which
	// the code below would take for "not set" and silently replace by the
	// default (or, for LoadBudget, overflow the scan gap).
	"maxreplymb": number("a size in MiB from 0.001 to 4096", func(f float64) bool { return f >= 0.001 && f <= 4096 },
		func(in *Instance, f float64) { in.Client.MaxReplyBytes = int64(f * (1 << 20)) }),
	"pertracker": boolean(func(in *Instance, b bool) { in.Sensors.PerTracker = b }),
	"perlabel":   boolean(func(in *Instance, b bool) { in.Sensors.PerLabel = b }),
	"peerflags":  boolean(func(in *Instance, b bool) { in.Sensors.PeerFlags = b }),
	"loadbudget": number("a percentage from 0.001 to 100", func(f float64) bool { return f >= 0.001 && f <= 100 },
		func(in *Instance, f float64) { in.Sensors.LoadBudget = f / 100 }),
	"minscaninterval": seconds(func(in *Instance, d time.Duration) { in.Sensors.MinScanInterval = d }),
	"maxscaninterval": seconds(func(in *Instance, d time.Duration) { in.Sensors.MaxScanInterval = d }),
	"procroot": str(func(in *Instance, s string) error {
		if !filepath.IsAbs(s) {
			return fmt.Errorf("want an absolute path, got %s", quote(s))
		}
		in.Sensors.ProcRoot = s
		return nil
	}),
}

// optionNames lists the options in the spelling of the docs, for messages.
var optionNames = []string{"URL", "Username", "Password", "CAFile", "InsecureSkipVerify", "Timeout", "MaxReplyMB",
	"PerTracker", "PerLabel", "PeerFlags", "LoadBudget", "MinScanInterval", "MaxScanInterval", "ProcRoot"}

// parseInstance reads one <Instance> block. It returns every problem it
// finds, so one error line tells the user all that is wrong.
func parseInstance(name string, b cdconfig.Block, interval time.Duration) (Instance, []string, []error) {
	in := Instance{Name: name, Sensors: reader.DefaultOptions(), Alerts: alerts.DefaultOptions()}
	in.Client.Name = name
	var problems []error
	var warns []string
	given := map[string]bool{}
	unknown := 0
	for _, c := range b.Children {
		key := strings.ToLower(c.Key)
		set, ok := options[key]
		switch {
		case !ok && unknown == 0:
			unknown++
			problems = append(problems, fmt.Errorf("unknown option %s (known: %s)", quote(c.Key), strings.Join(optionNames, ", ")))
			continue
		case !ok:
			unknown++ // the known list is said once
			problems = append(problems, fmt.Errorf("unknown option %s", quote(c.Key)))
			continue
		case given[key]:
			problems = append(problems, fmt.Errorf("option %s given twice", c.Key))
			continue
		case len(c.Children) > 0 || len(c.Values) != 1:
			problems = append(problems, fmt.Errorf("option %s takes exactly one value", c.Key))
			continue
		}
		given[key] = true
		if err := set(&in, c.Values[0]); err != nil {
			problems = append(problems, fmt.Errorf("option %s: %w", c.Key, err))
		}
	}
	if !given["url"] {
		problems = append(problems, fmt.Errorf("option URL missing (scgi:///path/rpc.socket, scgi://host:port or http(s)://host/RPC2)"))
	}
	if len(problems) > 0 {
		return Instance{}, nil, problems
	}
	if in.Sensors.MaxScanInterval < in.Sensors.MinScanInterval {
		return Instance{}, nil, []error{fmt.Errorf("option MaxScanInterval (%v) is below MinScanInterval (%v)", in.Sensors.MaxScanInterval, in.Sensors.MinScanInterval)}
	}
	limit := time.Duration(float64(interval) * TimeoutShare)
	switch {
	case !given["timeout"]:
		in.Timeout = min(rtorrent.DefaultTimeout, limit)
	case in.Timeout > limit:
		warns = append(warns, fmt.Sprintf("Timeout %v is not below %d%% of the interval (%v): using %v, so a read ends before the next is due",
			in.Timeout, int(TimeoutShare*100), interval, limit))
		in.Timeout = limit
	}
	in.Client.Timeout = in.Timeout
	// The client checks the URL and its combination with the other
	// options (credentials on SCGI, a CA file it cannot read, ...).
	if _, err := rtorrent.New(in.Client); err != nil {
		return Instance{}, nil, []error{unwrapInstance(err)}
	}
	return in, warns, nil
}

// unwrapInstance drops the client's own `rtorrent "name":` prefix: the
// message already names the instance.
func unwrapInstance(err error) error {
	msg := err.Error()
	if i := strings.Index(msg, ": "); i >= 0 && strings.HasPrefix(msg, "rtorrent \"") {
		msg = msg[i+2:]
	}
	if strings.HasPrefix(msg, "URL ") || strings.HasPrefix(msg, "empty URL") {
		return fmt.Errorf("option %s", msg)
	}
	return fmt.Errorf("%s", msg)
}

func str(set func(*Instance, string) error) option {
	return func(in *Instance, v cdconfig.Value) error {
		if !v.IsString() {
			return fmt.Errorf("want a quoted string, got %s", describe(v))
		}
		return set(in, v.String())
	}
}

// secret is str for a password: a message about a wrong value names its
// kind, never the value, which is (or is close to) the password and would
// land in collectd's log.
func secret(set func(*Instance, string)) option {
	return func(in *Instance, v cdconfig.Value) error {
		if !v.IsString() {
			return fmt.Errorf("want a quoted string, got %s (not shown: it may be the password; quote it)", kind(v))
		}
		set(in, v.String())
		return nil
	}
}

// kind names what collectd's parser made of an unquoted value.
func kind(v cdconfig.Value) string {
	if _, ok := v.Bool(); ok {
		return "a boolean"
	}
	if _, ok := v.Float64(); ok {
		return "a number"
	}
	return "an unquoted value"
}

func boolean(set func(*Instance, bool)) option {
	return func(in *Instance, v cdconfig.Value) error {
		if b, ok := v.Bool(); ok {
			set(in, b)
			return nil
		}
		// collectd itself accepts these spellings as strings too.
		if v.IsString() {
			switch strings.ToLower(v.String()) {
			case "true", "yes", "on":
				set(in, true)
				return nil
			case "false", "no", "off":
				set(in, false)
				return nil
			}
		}
		return fmt.Errorf("want true or false, got %s", describe(v))
	}
}

func number(want string, ok func(float64) bool, set func(*Instance, float64)) option {
	return func(in *Instance, v cdconfig.Value) error {
		f, isNum := v.Float64()
		if !isNum || !ok(f) {
			return fmt.Errorf("want %s, got %s", want, describe(v))
		}
		set(in, f)
		return nil
	}
}

func seconds(set func(*Instance, time.Duration)) option {
	return number("a number of seconds above 0 (0.001 to 999999)", func(f float64) bool { return f >= 0.001 && f < 1e6 },
		func(in *Instance, f float64) { set(in, time.Duration(f*float64(time.Second))) })
}

func describe(v cdconfig.Value) string {
	if v.IsString() {
		return quote(v.String())
	}
	return fmt.Sprint(v.Interface())
}

// maxQuoted bounds the user's text repeated in a message: a mistaken or
// hostile value (a megabyte string) must not become a megabyte log line.
const maxQuoted = 120

// quote is %q of s, cut to maxQuoted bytes with an ellipsis.
func quote(s string) string {
	if len(s) > maxQuoted {
		return fmt.Sprintf("%q…", s[:maxQuoted])
	}
	return fmt.Sprintf("%q", s)
}
