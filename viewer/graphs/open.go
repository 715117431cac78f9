package graphs

import "github.com/rtmon/rtmon/viewer/datadir"

// openCapped cuts d's lines at MaxLines (capLines) and opens the files of
// the lines kept beneath DataDir (datadir.File.Open: the whole path
// resolved, symlinks out of DataDir refused, the header checked): a graph
// over 1,500 files opens 32, not 1,500. The lines returned read the
// opened files: their Path() is /proc/self/fd/N, so the DEFs, rrd info
// and the header reads of a render or an export reach exactly the files
// checked, even if a directory on the way is swapped for a symlink
// meanwhile. It also returns how many lines were left out; done closes
// the files, call it once librrd is finished.
func openCapped(d *Def) (lines []Line, omitted int, done func(), err error) {
	kept, omitted := capLines(d.Lines)
	handles := map[*datadir.File]*datadir.Handle{}
	done = func() {
		for _, h := range handles {
			h.Close()
		}
	}
	lines = make([]Line, len(kept))
	for i, l := range kept {
		h, ok := handles[l.File]
		if !ok {
			if h, err = l.File.Open(); err != nil {
				done()
				return nil, 0, nil, err
			}
			handles[l.File] = h
		}
		l.File = h.File()
		lines[i] = l
	}
	return lines, omitted, done, nil
}
