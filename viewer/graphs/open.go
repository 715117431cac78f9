package graphs

import "github.com/rtmon/rtmon/viewer/datadir"

// openFiles opens every file of d beneath DataDir (datadir.File.Open:
// the whole path resolved, symlinks out of DataDir refused, the header
// checked) and returns a copy of d whose lines read the opened files:
// their Path() is /proc/self/fd/N, so the DEFs, rrd info and the header
// reads of a render or an export reach exactly the files checked, even
// if a directory on the way is swapped for a symlink meanwhile. done
// closes the files; call it once librrd is finished.
func openFiles(d *Def) (opened *Def, done func(), err error) {
	handles := map[*datadir.File]*datadir.Handle{}
	done = func() {
		for _, h := range handles {
			h.Close()
		}
	}
	c := *d
	c.Lines = make([]Line, len(d.Lines))
	for i, l := range d.Lines {
		h, ok := handles[l.File]
		if !ok {
			if h, err = l.File.Open(); err != nil {
				done()
				return nil, nil, err
			}
			handles[l.File] = h
		}
		l.File = h.File()
		c.Lines[i] = l
	}
	return &c, done, nil
}

// openCapped cuts d's lines at MaxLines (capLines) and opens the files of
// the lines kept (openFiles): a graph over 1,500 files opens 32, not
// 1,500. It returns the opened lines and how many were left out.
func openCapped(d *Def) (lines []Line, omitted int, done func(), err error) {
	kept, omitted := capLines(d.Lines)
	c := *d
	c.Lines = kept
	opened, done, err := openFiles(&c)
	if err != nil {
		return nil, 0, nil, err
	}
	return opened.Lines, omitted, done, nil
}
