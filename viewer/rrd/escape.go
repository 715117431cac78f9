package rrd

import "strings"

// librrd 1.7.2 splits graph and xport elements (DEF:vname=file:ds:CF,
// LINE:vname#color:legend, COMMENT:text, XPORT:vname:legend, ...) on ':'.
// Its only escape is "\:" for a literal colon. A backslash before any other
// character stays a literal backslash, and "\\" is NOT unescaped: escaping
// a backslash as "\\" would put two backslashes into the file name or the
// legend. (Checked with rrdtool 1.7.2: DEF:x=b\\s/a.rrd opens "b\\s/a.rrd".)

// Escape makes s safe as one colon-separated field of a graph or xport
// element where a backslash is an ordinary character:
//
//   - the file name in DEF:vname=FILE:ds:CF
//   - the legend in XPORT:vname:LEGEND
//
// It turns every ':' into "\:" so that a name cannot end the field early
// and add fields of its own (":daemon=...", ":step=...", another DS). A
// backslash is kept as is: librrd reads "\\:" as a backslash followed by
// an escaped colon, which is what the file name holds.
//
// One value cannot be expressed: a field that ends in a backslash, because
// that backslash and the separator after it read as an escaped colon.
// librrd then fails to parse the element (a clear error, not a different
// file); collectd's file names end in ".rrd", so this does not arise there.
//
// For text that is drawn (COMMENT, LINE/AREA/STACK legends, --title needs
// nothing) use EscapeText.
func Escape(s string) string {
	return strings.ReplaceAll(s, ":", `\:`)
}

// EscapeText makes s safe as drawn text: COMMENT:TEXT and the legend of
// LINE, AREA, STACK, TICK, HRULE and VRULE elements. On top of Escape it
// defuses librrd's alignment codes: when the second-to-last character of a
// text is a backslash, librrd takes the last two characters as a control
// code (\l, \r, \c, \j, \g, \s, \n, \u, \.) and refuses the whole graph
// for any other ("Unknown control code at the end of ..."). EscapeText
// appends two spaces in that case, which draws the same and ends the text
// in plain characters. A caller that wants an alignment code adds it after
// escaping: EscapeText(name) + `\l`.
func EscapeText(s string) string {
	if n := len(s); n >= 2 && s[n-2] == '\\' {
		s += "  "
	}
	return Escape(s)
}
