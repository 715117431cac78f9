package rrd

// #include <stdlib.h>
// #include "rrdcall.h"
import "C"

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// GraphResult is what rrd_graph_v reports about one rendered graph.
//
// Left, Top, Width and Height place the data canvas inside the image, and
// Start and End are the times at its left and right edges: a click at image
// x maps to Start + (x-Left)*(End-Start)/Width.
type GraphResult struct {
	// Image is the PNG, SVG, ... asked for with --imgformat. It is nil when
	// the arguments only PRINT: librrd then draws nothing.
	Image []byte

	Left, Top, Width, Height int // graph_left, graph_top, graph_width, graph_height
	ImageWidth, ImageHeight  int // image_width, image_height
	Start, End               int64
	ValueMin, ValueMax       float64 // value_min, value_max: the y range drawn

	// Print holds the PRINT results (print[0], print[1], ...).
	Print []string
	// Legend holds the legend lines as rendered (legend[0], ...): LINE/AREA
	// legends, GPRINT results and COMMENTs.
	Legend []string
}

// Graph renders a graph in memory. args are rrdtool graph arguments without
// the command and file name ("--start", "...", "DEF:...", "LINE:...");
// Graph puts "graph" and "-" in front so that librrd returns the image
// instead of writing a file. Use "--imgformat SVG" for SVG.
//
// Calls are serialized: rrd_graph_v is not thread-safe.
func Graph(args []string) (*GraphResult, error) {
	return retryLocked(func() (*GraphResult, error) { return graphOnce(args) })
}

func graphOnce(args []string) (*GraphResult, error) {
	argv, err := newCArgv(append([]string{"graph", "-"}, args...))
	if err != nil {
		return nil, fmt.Errorf("rrd graph: %w", err)
	}
	defer argv.free()

	var eb errBuf
	var failed C.int
	unsafeMu.Lock()
	info := C.rtmon_graph_v(argv.argc, argv.argv, eb.ptr(), eb.size(), &failed)
	unsafeMu.Unlock()
	if failed != 0 {
		trimHeap()
		if eb.String() == "" {
			// librrd 1.7.2 returns NULL without an error when the
			// arguments hold nothing to draw or print (only DEF and
			// COMMENT, say).
			return nil, &Error{Op: "graph", Msg: "librrd returned nothing and no error: no element to draw or print"}
		}
		return nil, newError("graph", &eb)
	}
	items := copyInfo(info)
	C.rrd_info_free(info)
	trimHeap()
	return graphResult(items)
}

// graphResult picks the known keys out of rrd_graph_v's list.
func graphResult(items []infoItem) (*GraphResult, error) {
	r := &GraphResult{ValueMin: math.NaN(), ValueMax: math.NaN()}
	ints := map[string]*int{
		"graph_left": &r.Left, "graph_top": &r.Top,
		"graph_width": &r.Width, "graph_height": &r.Height,
		"image_width": &r.ImageWidth, "image_height": &r.ImageHeight,
	}
	for _, it := range items {
		if p, ok := ints[it.key]; ok {
			if n, ok := asInt64(it.value); ok {
				*p = int(n)
			}
			continue
		}
		switch it.key {
		case "image":
			r.Image, _ = it.value.([]byte)
		case "graph_start":
			r.Start, _ = asInt64(it.value)
		case "graph_end":
			r.End, _ = asInt64(it.value)
		case "value_min":
			r.ValueMin, _ = it.value.(float64)
		case "value_max":
			r.ValueMax, _ = it.value.(float64)
		default:
			if i, ok := indexed(it.key, "print"); ok {
				r.Print = setAt(r.Print, i, fmt.Sprint(it.value))
			} else if i, ok := indexed(it.key, "legend"); ok {
				r.Legend = setAt(r.Legend, i, fmt.Sprint(it.value))
			}
		}
	}
	// With PRINT but nothing to draw, librrd computes the prints and
	// renders no image; that is a valid result.
	if len(r.Image) == 0 && len(r.Print) == 0 {
		return nil, fmt.Errorf("rrd graph: librrd returned neither an image nor PRINT results")
	}
	return r, nil
}

// indexed parses keys of the form name[N].
func indexed(key, name string) (int, bool) {
	rest, ok := strings.CutPrefix(key, name+"[")
	if !ok {
		return 0, false
	}
	num, ok := strings.CutSuffix(rest, "]")
	if !ok {
		return 0, false
	}
	i, err := strconv.Atoi(num)
	// librrd numbers these from 0 upwards; refuse absurd indexes rather
	// than allocate for them.
	if err != nil || i < 0 || i > 1<<16 {
		return 0, false
	}
	return i, true
}

func setAt(s []string, i int, v string) []string {
	for len(s) <= i {
		s = append(s, "")
	}
	s[i] = v
	return s
}
