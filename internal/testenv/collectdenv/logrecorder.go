package collectdenv

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"

	"github.com/rtmon/rtmon/internal/testenv"
)

// LogRecorder is a slog handler that keeps every record as one line
// ("LEVEL message key=value ..."), so a test can count what the viewer
// logged: a fault must be said once, not at every poll.
type LogRecorder struct {
	mu    sync.Mutex
	lines []string
}

func (l *LogRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (l *LogRecorder) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *LogRecorder) WithGroup(string) slog.Handler            { return l }

func (l *LogRecorder) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", r.Level, r.Message)
	r.Attrs(func(a slog.Attr) bool { fmt.Fprintf(&b, " %s=%v", a.Key, a.Value); return true })
	l.mu.Lock()
	l.lines = append(l.lines, b.String())
	l.mu.Unlock()
	return nil
}

// Matching returns the lines of exactly level ("WARN", "INFO", ...) that
// hold every substring.
func (l *LogRecorder) Matching(level string, subs ...string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, line := range l.lines {
		if strings.HasPrefix(line, level+" ") && testenv.ContainsAll(line, subs...) {
			out = append(out, line)
		}
	}
	return out
}

func (l *LogRecorder) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}
