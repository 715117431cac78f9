package unixsock

import (
	"fmt"
	"strings"
)

// Identifier names one value list in collectd:
// host/plugin[-plugin_instance]/type[-type_instance].
type Identifier struct {
	Host           string
	Plugin         string
	PluginInstance string
	Type           string
	TypeInstance   string
}

// String returns the identifier in collectd's form; empty instances are
// left out with their '-'.
func (id Identifier) String() string {
	var b strings.Builder
	b.Grow(len(id.Host) + len(id.Plugin) + len(id.PluginInstance) + len(id.Type) + len(id.TypeInstance) + 4)
	b.WriteString(id.Host)
	b.WriteByte('/')
	b.WriteString(id.Plugin)
	if id.PluginInstance != "" {
		b.WriteByte('-')
		b.WriteString(id.PluginInstance)
	}
	b.WriteByte('/')
	b.WriteString(id.Type)
	if id.TypeInstance != "" {
		b.WriteByte('-')
		b.WriteString(id.TypeInstance)
	}
	return b.String()
}

// ParseIdentifier splits s the way collectd does: the host ends at the
// first '/', the plugin part at the next '/', and the rest is the type part
// (which may itself hold '/' in its instance). The plugin and type parts
// split into name and instance at their FIRST '-', so "cpu-0" is plugin
// "cpu" instance "0" and "df-var-log" is plugin "df" instance "var-log".
func ParseIdentifier(s string) (Identifier, error) {
	if err := checkChars(s); err != nil {
		return Identifier{}, fmt.Errorf("parse identifier %q: %w: %v", s, ErrInvalidIdentifier, err)
	}
	host, rest, ok := strings.Cut(s, "/")
	if !ok {
		return Identifier{}, fmt.Errorf("parse identifier %q: %w: no '/' after the host", s, ErrInvalidIdentifier)
	}
	plugin, typ, ok := strings.Cut(rest, "/")
	if !ok {
		return Identifier{}, fmt.Errorf("parse identifier %q: %w: no '/' after the plugin", s, ErrInvalidIdentifier)
	}
	var id Identifier
	id.Host = host
	id.Plugin, id.PluginInstance, _ = strings.Cut(plugin, "-")
	id.Type, id.TypeInstance, _ = strings.Cut(typ, "-")
	if err := id.Validate(); err != nil {
		return Identifier{}, fmt.Errorf("parse identifier %q: %w", s, err)
	}
	return id, nil
}

// Validate reports whether the identifier can be sent to collectd and
// would be read back as the same five parts:
//
//   - no part holds a control character (newline, NUL, DEL, ...);
//   - host, plugin and type are not empty;
//   - host, plugin, plugin instance and type hold no '/', and plugin and
//     type no '-', because collectd splits there.
//
// A valid identifier can still be hostile as a file name (a host named
// ".."): callers that map identifiers to paths must check that themselves.
func (id Identifier) Validate() error {
	parts := []struct {
		name, val, forbidden string
		required             bool
	}{
		{"host", id.Host, "/", true},
		{"plugin", id.Plugin, "/-", true},
		{"plugin instance", id.PluginInstance, "/", false},
		{"type", id.Type, "/-", true},
		{"type instance", id.TypeInstance, "", false},
	}
	for _, p := range parts {
		if p.required && p.val == "" {
			return fmt.Errorf("%w: empty %s", ErrInvalidIdentifier, p.name)
		}
		if err := checkChars(p.val); err != nil {
			return fmt.Errorf("%w: %s: %v", ErrInvalidIdentifier, p.name, err)
		}
		if i := strings.IndexAny(p.val, p.forbidden); i >= 0 {
			return fmt.Errorf("%w: %s %q contains %q", ErrInvalidIdentifier, p.name, p.val, p.val[i])
		}
	}
	return nil
}

// checkChars refuses ASCII control characters, NUL and DEL included: a
// newline would end the command early, and collectd would silently ignore
// everything after a NUL.
func checkChars(s string) error {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f {
			return fmt.Errorf("control character %q at byte %d", c, i)
		}
	}
	return nil
}
