// Package pluginconf reads the plugin's <Plugin rtorrent> block into one
// Instance per <Instance "name"> block. It is plain Go so that every rule
// is tested without collectd: a malformed or unknown option costs that one
// instance (one error naming the option and the instance), never the
// others.
package pluginconf

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	cdconfig "collectd.org/config"

	"github.com/rtmon/rtmon/internal/catalogue"
	"github.com/rtmon/rtmon/internal/reader"
	"github.com/rtmon/rtmon/internal/rtorrent"
	"github.com/rtmon/rtmon/plugin/alerts"
	"github.com/rtmon/rtmon/plugin/dispatch"
)

// Instance is one rTorrent to read, as configured.
type Instance struct {
	Name    string
	Client  rtorrent.Config
	Sensors reader.Options
	// Timeout bounds each read; already clamped below the interval.
	Timeout time.Duration
	// Alerts are the notification options (notify.go).
	Alerts alerts.Options
}

// Metrics returns the options the metric mapping needs.
func (in Instance) Metrics() dispatch.Options {
	return dispatch.Options{PerTracker: in.Sensors.PerTracker, PerLabel: in.Sensors.PerLabel, PeerFlags: in.Sensors.PeerFlags}
}

// DefaultInterval is collectd's default interval, assumed when the caller
// cannot tell.
const DefaultInterval = 10 * time.Second

// TimeoutShare is the part of the interval a read may take at most, so a
// read always ends before the next one is due.
const TimeoutShare = 0.8

// Result is what Parse found: the instances to run, one error per rejected
// instance or stray option, and warnings about values it adjusted.
type Result struct {
	Instances []Instance
	Errors    []error
	Warnings  []string
}

// Parse reads the <Plugin rtorrent> block. interval is collectd's read
// interval, which every read's deadline must stay below.
func Parse(block cdconfig.Block, interval time.Duration) Result {
	if interval <= 0 {
		interval = DefaultInterval
	}
	var res Result
	seen := map[string]bool{}
	for _, child := range block.Children {
		if !strings.EqualFold(child.Key, "Instance") {
			res.Errors = append(res.Errors, fmt.Errorf("unknown option %s in <Plugin rtorrent>: only <Instance \"name\"> blocks go here", quote(child.Key)))
			continue
		}
		name, err := instanceName(child)
		if err != nil {
			res.Errors = append(res.Errors, err)
			continue
		}
		if seen[name] {
			res.Errors = append(res.Errors, fmt.Errorf("instance %q: defined twice; the second block is skipped", name))
			continue
		}
		seen[name] = true
		in, warns, problems := parseInstance(name, child, interval)
		for _, w := range warns {
			res.Warnings = append(res.Warnings, fmt.Sprintf("instance %q: %s", name, w))
		}
		if len(problems) > 0 {
			res.Errors = append(res.Errors, fmt.Errorf("instance %q skipped: %w", name, joinLine(problems)))
			continue
		}
		res.Instances = append(res.Instances, in)
	}
	return res
}

// joinLine joins problems on one line, "; " between them: collectd logs
// line by line, and one instance's problems belong in one message. The
// line stays within maxProblemLine bytes: past that the rest are counted,
// not listed (a block of hundreds of typos is one readable line).
func joinLine(errs []error) error {
	if len(errs) == 1 {
		return errs[0]
	}
	var b strings.Builder
	for i, e := range errs {
		msg := e.Error()
		if i > 0 && b.Len()+2+len(msg) > maxProblemLine {
			fmt.Fprintf(&b, "; and %d more problems", len(errs)-i)
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(msg)
	}
	return errors.New(b.String())
}

// maxProblemLine bounds the joined problems of one instance.
const maxProblemLine = 768

var validName = regexp.MustCompile(`^[A-Za-z0-9_.]+$`)

// instanceName checks the <Instance "name"> value. The name becomes the
// collectd plugin instance and a directory name (rtorrent-<name>), so it
// must not hold '-' (collectd splits plugin-instance on the first '-'),
// '/', or anything a file name or an rrdtool argument chokes on.
func instanceName(b cdconfig.Block) (string, error) {
	if len(b.Values) != 1 || !b.Values[0].IsString() {
		return "", fmt.Errorf("<Instance> needs exactly one quoted name, as in <Instance \"main\">; got %d values", len(b.Values))
	}
	name := b.Values[0].String()
	switch {
	case !validName.MatchString(name):
		return "", fmt.Errorf("instance %s skipped: a name may hold only letters, digits, '_' and '.' (it becomes the collectd plugin instance and a directory name)", quote(name))
	case strings.Trim(name, ".") == "":
		return "", fmt.Errorf("instance %s skipped: a name needs a letter, digit or '_'", quote(name))
	case len(name) > catalogue.MaxNameLen:
		return "", fmt.Errorf("instance %s skipped: a name may be at most %d bytes", quote(name), catalogue.MaxNameLen)
	}
	return name, nil
}
