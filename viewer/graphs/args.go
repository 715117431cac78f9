package graphs

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/rtmon/rtmon/viewer/query"
	"github.com/rtmon/rtmon/viewer/rrd"
)

// themes are rrdtool --color settings; light is rrdtool's look without
// the 3D border.
var themes = map[string][]string{
	"light": {"BACK#ffffff", "CANVAS#ffffff", "SHADEA#ffffff", "SHADEB#ffffff", "FONT#222222", "AXIS#555555", "ARROW#555555", "FRAME#888888", "GRID#cccccc80", "MGRID#99999980"},
	"dark":  {"BACK#1b1e23", "CANVAS#121418", "SHADEA#1b1e23", "SHADEB#1b1e23", "FONT#dddddd", "AXIS#aaaaaa", "ARROW#aaaaaa", "FRAME#555555", "GRID#44444480", "MGRID#66666680"},
}

// Below these sizes the legend, and then the axes and title, no longer
// fit: librrd would fail rather than draw a cramped graph.
const (
	minAxesWidth, minAxesHeight = 300, 120
	legendLineHeight            = 15
	minCanvasHeight             = 60
)

// maxLegend caps a legend's length in characters (names come from
// DataDir and may be long).
const maxLegend = 40

// Args returns the rrdtool graph arguments the renderer draws d with
// over q's range and size: at most MaxLines lines, each DEF clamped to its
// file's archives (see makePlan). It fails with ErrTooMuchData when the
// request would read more than MaxPoints values.
func (r *Renderer) Args(d *Def, q query.Request) ([]string, error) {
	lines, omitted := capLines(d.Lines)
	p, err := makePlan(d, lines, omitted, q, q.Width, false, r.header)
	if err != nil {
		return nil, err
	}
	return args(d, p, q), nil
}

// args returns rrdtool graph arguments for d's planned lines over q's
// range and size. Every file name and legend goes through rrd.Escape or
// rrd.EscapeText; everything else in the arguments is ours.
func args(d *Def, p *plan, q query.Request) []string {
	lines := p.lines
	args := []string{
		"--start", strconv.FormatInt(q.Start, 10), "--end", strconv.FormatInt(q.End, 10),
		"--width", strconv.Itoa(q.Width), "--height", strconv.Itoa(q.Height), "--full-size-mode",
		"--imgformat", strings.ToUpper(q.Format),
		"--disable-rrdtool-tag", "--border", "0", "--lower-limit", "0", "--slope-mode",
	}
	for _, c := range themes[q.Theme] {
		args = append(args, "--color", c)
	}
	if d.Base1024 {
		args = append(args, "--base", "1024")
	}
	title := d.Title
	legendLines := len(lines)
	if p.omitted > 0 {
		// Said where it is seen at every size but the smallest: the title.
		title += fmt.Sprintf(" (first %d of %d lines)", len(lines), len(lines)+p.omitted)
		legendLines++
	}
	legend := true
	switch {
	case q.Width < minAxesWidth || q.Height < minAxesHeight:
		args = append(args, "--only-graph")
		legend = false
	case q.Height-legendLineHeight*legendLines-90 < minCanvasHeight:
		args = append(args, "--no-legend", "--title", title, "--vertical-label", d.Unit)
		legend = false
	default:
		args = append(args, "--title", title, "--vertical-label", d.Unit)
	}
	width := 0
	for _, l := range lines {
		width = max(width, utf8.RuneCountInString(clip(l.Legend)))
	}
	for i, l := range lines {
		v := fmt.Sprintf("v%d", i)
		args = append(args,
			fmt.Sprintf("DEF:r%d=%s:%s:AVERAGE%s", i, rrd.Escape(l.File.Path()), rrd.Escape(l.DS), p.wins[i].suffix()),
			fmt.Sprintf("CDEF:%s=r%d,%s,*", v, i, strconv.FormatFloat(l.Scale, 'g', -1, 64)))
		leg := ""
		if legend {
			leg = ":" + rrd.EscapeText(pad(clip(l.Legend), width))
		}
		switch {
		case d.Stack && i == 0:
			args = append(args, fmt.Sprintf("AREA:%s%s%s", v, l.Color, leg))
		case d.Stack:
			if leg == "" {
				leg = ":"
			}
			args = append(args, fmt.Sprintf("AREA:%s%s%s:STACK", v, l.Color, leg))
		default:
			args = append(args, fmt.Sprintf("LINE2:%s%s%s", v, l.Color, leg))
		}
		if legend {
			args = append(args,
				fmt.Sprintf("VDEF:l%d=%s,LAST", i, v), fmt.Sprintf("VDEF:a%d=%s,AVERAGE", i, v), fmt.Sprintf("VDEF:m%d=%s,MAXIMUM", i, v),
				fmt.Sprintf("GPRINT:l%d:now %%7.2lf%%s", i), fmt.Sprintf("GPRINT:a%d:avg %%7.2lf%%s", i), fmt.Sprintf(`GPRINT:m%d:max %%7.2lf%%s\l`, i))
		}
	}
	if legend && p.omitted > 0 {
		args = append(args, "COMMENT:"+rrd.EscapeText(omittedNote(p.omitted))+`\l`)
	}
	return args
}

// omittedNote says how many lines a graph or series left out.
func omittedNote(n int) string {
	return fmt.Sprintf("%d more lines not drawn: at most %d per graph", n, MaxLines)
}

// expandLines turns graph id's lines naming no data source into one line
// per data source of their file, read from the file's header (hdr).
func expandLines(id string, lines []Line, hdr headerReader) ([]Line, error) {
	var out []Line
	for _, l := range lines {
		if l.DS != "" {
			out = append(out, l)
			continue
		}
		h, _, err := hdr(l.File)
		if err != nil {
			return nil, err
		}
		names := h.DS
		for j, n := range names {
			nl := l
			nl.DS = n
			if len(names) > 1 {
				nl.Legend = n
			}
			nl.Color = palette[(len(out)+j)%len(palette)]
			out = append(out, nl)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("graph %q has nothing to draw", id)
	}
	return out, nil
}

func clip(s string) string {
	if utf8.RuneCountInString(s) <= maxLegend {
		return s
	}
	r := []rune(s)
	return string(r[:maxLegend-1]) + "…"
}

func pad(s string, n int) string {
	if k := utf8.RuneCountInString(s); k < n {
		return s + strings.Repeat(" ", n-k)
	}
	return s
}
