package datadir

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// Handle is an RRD file opened beneath DataDir, for as long as librrd
// needs it.
//
// The check it replaces looked only at the last path component, so a
// directory on the way (<host>/memory) swapped for a symlink out of
// DataDir after indexing led librrd to the outside file until the index
// was rebuilt. Open resolves the whole path, and the open itself is the
// check: librrd is then handed /proc/self/fd/N, which reopens exactly the
// file Open checked, whatever happens to the names meanwhile. A check of
// the names followed by librrd opening them itself would leave a window
// between the two in which a swap wins.
type Handle struct {
	file   *os.File
	pinned *File
}

// Path is the name to hand librrd (and anything else that opens the file
// by name): /proc/self/fd/N of the open file. It is valid until Close.
func (h *Handle) Path() string { return "/proc/self/fd/" + strconv.Itoa(int(h.file.Fd())) }

// File is a copy of the indexed file whose Path is h.Path(): code that
// passes File.Path() to librrd reads the opened file through it. Use it
// only until Close.
func (h *Handle) File() *File { return h.pinned }

// Close closes the file; Path and File are invalid afterwards.
func (h *Handle) Close() error { return h.file.Close() }

// Open opens the file beneath DataDir and checks its header (see
// checkHeader), refusing it when any component of its path, the file's
// directories included, is now a symlink leading out of DataDir, or is no
// longer a directory or a regular file. Symlinks that stay inside DataDir
// (a central collectd linking hosts to each other) are followed.
//
// It resolves the path's symlinks by name (filepath.EvalSymlinks) and
// checks the result lies in DataDir, then opens that symlink-free path
// one component at a time from DataDir with O_NOFOLLOW: a component
// turned into a symlink between the two steps fails the open (ELOOP),
// so the file opened is the one checked or none.
//
// A refusal wraps fs.ErrNotExist (the viewer answers 404: the file the
// index saw is not there any more) and names the file.
func (f *File) Open() (*Handle, error) {
	if f.orig != nil {
		f = f.orig // a Handle's copy: open the indexed file again
	}
	f.flushBeforeOpen()
	return f.open(f.root)
}

func (f *File) open(root string) (*Handle, error) {
	target, err := filepath.EvalSymlinks(f.path)
	if err != nil {
		return nil, fmt.Errorf("datadir: %w", err)
	}
	if target != root && !strings.HasPrefix(target, root+string(filepath.Separator)) {
		return nil, fmt.Errorf("datadir: %s: symlink leads out of DataDir (to %s): %w", f.path, target, fs.ErrNotExist)
	}
	file, err := openBeneath(root, strings.TrimPrefix(target, root+string(filepath.Separator)))
	if err != nil {
		return nil, fmt.Errorf("datadir: %s: %w", f.path, err)
	}
	if err := checkHeader(file, f.path); err != nil {
		file.Close()
		return nil, err
	}
	pinned := *f
	pinned.orig = f
	h := &Handle{file: file, pinned: &pinned}
	pinned.path = h.Path()
	return h, nil
}

// openBeneath opens rel, a path without symlinks, "." or "..", beneath
// the directory root, following no symlink on the way: each directory is
// opened from the previous one with O_NOFOLLOW, and so is the file. The
// result is a regular file.
func openBeneath(root, rel string) (*os.File, error) {
	dir, err := syscall.Open(root, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("opening DataDir %s: %w", root, err)
	}
	parts := strings.Split(rel, string(filepath.Separator))
	for i, name := range parts {
		if name == "" || name == "." || name == ".." {
			syscall.Close(dir)
			return nil, fmt.Errorf("bad path component %q", name)
		}
		flags := syscall.O_RDONLY | syscall.O_NOFOLLOW | syscall.O_CLOEXEC
		if i < len(parts)-1 {
			flags |= syscall.O_DIRECTORY
		} else {
			flags |= syscall.O_NONBLOCK | syscall.O_NOCTTY // a FIFO must not block the open
		}
		fd, err := syscall.Openat(dir, name, flags, 0)
		syscall.Close(dir)
		if err != nil {
			if errors.Is(err, syscall.ELOOP) || errors.Is(err, syscall.ENOTDIR) {
				return nil, fmt.Errorf("%s changed into a symlink or a non-directory since it was checked: %w", filepath.Join(parts[:i+1]...), fs.ErrNotExist)
			}
			return nil, fmt.Errorf("opening %s: %w", filepath.Join(parts[:i+1]...), err)
		}
		dir = fd
	}
	file := os.NewFile(uintptr(dir), filepath.Join(root, rel))
	fi, err := file.Stat()
	if err != nil {
		file.Close()
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		file.Close()
		return nil, fmt.Errorf("not a regular file (%s): %w", fi.Mode().Type(), fs.ErrNotExist)
	}
	return file, nil
}

// Indexed returns the file as the index holds it: for a Handle's copy the
// original, whose Path is its name under DataDir; otherwise f itself.
// Caches keyed by file use it, since /proc/self/fd/N names are reused.
func (f *File) Indexed() *File {
	if f.orig != nil {
		return f.orig
	}
	return f
}
