package rrd

import "strings"

// How librrd 1.7.2 reads graph and xport elements (DEF:vname=file:ds:CF,
// AREA:vname#color:legend:STACK, COMMENT:text, XPORT:vname:legend, ...),
// checked with rrdtool graphv and the legend[N] it returns:
//
//   - it splits on ':' except where the ':' follows a backslash, whatever
//     comes before that backslash: "a\\:b" is one field, never "a\" + "b";
//   - it then turns each "\:" into ':' and keeps every other backslash as
//     is ("\\" stays two backslashes, "\x" stays "\x");
//   - '%' in a legend or comment is literal (only GPRINT formats use it).
//
// So ':' is the one character to escape, and a backslash needs no escape
// of its own, except as the last character of a field that another field
// follows: that backslash glues the separator to it, and no spelling
// avoids this. A legend "zzzzz\" followed by ":STACK" became the legend
// "zzzzz:STACK" and the area was drawn unstacked. EscapeText ends such a
// text in spaces; Escape cannot, see there.

// Escape makes s safe as one colon-separated field of a graph or xport
// element that must reach librrd exactly, such as the file name in
// DEF:vname=FILE:ds:CF: every ':' becomes "\:", so a name cannot end the
// field early and add fields of its own (":daemon=...", ":step=...").
// Backslashes are kept: librrd reads them literally.
//
// A value ending in a backslash has no exact spelling when a field
// follows (see above); librrd then joins the two fields and fails the
// element or reads a different one. Callers pass only values that cannot
// end so: the files handed to librrd are /proc/self/fd/N paths or names
// ending in ".rrd", data source names are checked against rrdtool's
// [A-Za-z0-9_-] when a file is opened (viewer/datadir), and XPORT legends
// are column numbers.
//
// For text that is drawn (COMMENT, LINE/AREA/STACK legends) use EscapeText.
func Escape(s string) string {
	return strings.ReplaceAll(s, ":", `\:`)
}

// EscapeText makes s safe as drawn text: COMMENT:TEXT and the legend of
// LINE, AREA, STACK, TICK, HRULE and VRULE elements (--title needs
// nothing). On top of Escape it
//
//   - defuses a backslash among the last two characters: as the last one
//     it would swallow the ':' of a following field (":STACK"), and as the
//     second-to-last librrd takes the pair for an alignment code (\l, \r,
//     \c, \j, \g, \s, \n, \u, \.) or refuses the whole graph for any other
//     ("Unknown control code at the end of ..."). Two spaces appended draw
//     the same and end the text in plain characters;
//   - replaces control characters (a newline would start a new legend
//     line) with U+FFFD, so one name stays one legend entry; bytes that
//     are not UTF-8 become U+FFFD too, rather than reach Pango.
//
// A caller that wants an alignment code adds it after escaping:
// EscapeText(name) + `\l`.
func EscapeText(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '\uFFFD'
		}
		return r
	}, s)
	n := len(s)
	if (n >= 1 && s[n-1] == '\\') || (n >= 2 && s[n-2] == '\\') {
		s += "  "
	}
	return Escape(s)
}
