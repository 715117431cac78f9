package rtorrent

import (
	"errors"
	"net/url"
	"regexp"
	"strings"
)

// redactURL is raw with any password in its user part replaced by
// "xxxxx", as url.URL.Redacted writes it, for URLs that may not parse at
// all: a message quoting the URL a user got wrong must not quote the
// password in it. Without a parse, the user part is taken generously:
// everything between the scheme's "//" (or the start) and the last '@',
// so a password holding '/', '?', '#' or a bad % escape is covered too.
// A URL without '@' is returned as it is.
func redactURL(raw string) string {
	k := strings.LastIndexByte(raw, '@')
	if k < 0 {
		return raw
	}
	start := 0
	if i := strings.Index(raw, "://"); i >= 0 && i < k {
		start = i + 3
	}
	user := raw[start:k]
	c := strings.IndexByte(user, ':')
	if c < 0 {
		return raw // a user name alone, which url.URL.Redacted keeps too
	}
	return raw[:start] + user[:c] + ":xxxxx" + raw[k:]
}

// hasPassword reports whether redactURL changes raw.
func hasPassword(raw string) bool { return redactURL(raw) != raw }

var quoted = regexp.MustCompile(`"[^"]*"`)

// parseCause is net/url's reason for refusing raw, without the URL it
// repeats, and with its quoted excerpt ("%zz", ":pa") replaced when the
// URL holds a password: the excerpt may be a piece of it.
func parseCause(raw string, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // url.Error repeats the whole URL, unquoted
	}
	if !hasPassword(raw) {
		return err
	}
	return errors.New(quoted.ReplaceAllString(err.Error(), "(excerpt hidden: the URL holds a password)"))
}
