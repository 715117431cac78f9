package datadir

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/rtmon/rtmon/viewer/unixsock"
)

// Index is a snapshot of DataDir. It is immutable once built and safe for
// concurrent use.
type Index struct {
	// Root is DataDir with symlinks resolved: the directory every indexed
	// file must lie in.
	Root  string
	Built time.Time
	Hosts []*Host // sorted by name
	// Refused lists entries left out, with the reason, for the log.
	Refused []Refusal

	hosts map[string]*Host
}

// Refusal is an entry of DataDir the index left out.
type Refusal struct {
	Path   string // relative to Root
	Reason string
}

// Host is one host directory.
type Host struct {
	Name    string
	Plugins []*PluginDir // sorted by name
	plugins map[string]*PluginDir
}

// PluginDir is one plugin[-instance] directory.
type PluginDir struct {
	Name             string // the directory name, "plugin[-instance]"
	Plugin, Instance string // split at the first '-', as collectd does
	Host             *Host
	Files            []*File // sorted by name
	files            map[string]*File
}

// File is one type[-instance].rrd file.
type File struct {
	Name           string // without ".rrd"
	Type, Instance string // split at the first '-'
	Dir            *PluginDir
	ModTime        time.Time
	path           string
	root           string // Index.Root
	orig           *File  // for a Handle's copy, the indexed file
	flush          *flusher
}

// Host returns the named host, or nil.
func (ix *Index) Host(name string) *Host { return ix.hosts[name] }

// Plugin returns the named plugin directory, or nil.
func (h *Host) Plugin(name string) *PluginDir { return h.plugins[name] }

// File returns the named file (without ".rrd"), or nil.
func (p *PluginDir) File(name string) *File { return p.files[name] }

// Path is the file's path under Root, built only from names read from
// DataDir itself.
func (f *File) Path() string { return f.path }

// Identifier is the collectd identifier whose values the file holds.
func (f *File) Identifier() unixsock.Identifier {
	return unixsock.Identifier{
		Host: f.Dir.Host.Name, Plugin: f.Dir.Plugin, PluginInstance: f.Dir.Instance,
		Type: f.Type, TypeInstance: f.Instance,
	}
}

// Verify checks that the file can be opened beneath root now, with a
// usable header: Open, then Close. It says nothing about later opens;
// code that hands the file to librrd uses Open and the Handle's path.
func (f *File) Verify(root string) error {
	if f.orig != nil {
		f = f.orig
	}
	if f.root != "" {
		root = f.root
	}
	h, err := f.open(root)
	if err != nil {
		return err
	}
	return h.Close()
}

// Build walks root and returns its index. Only an unreadable root is an
// error; bad entries below it are skipped and listed in Refused.
func Build(root string) (*Index, error) {
	real, err := filepath.EvalSymlinks(root)
	if err != nil {
		return nil, fmt.Errorf("datadir %s: %w", root, err)
	}
	real, err = filepath.Abs(real)
	if err != nil {
		return nil, fmt.Errorf("datadir %s: %w", root, err)
	}
	ix := &Index{Root: real, Built: time.Now(), hosts: map[string]*Host{}}
	hostNames, err := readDir(real)
	if err != nil {
		return nil, fmt.Errorf("datadir %s: %w", root, err)
	}
	for _, hn := range hostNames {
		hpath := filepath.Join(real, hn)
		if !ix.accept(hpath, hn, true) {
			continue
		}
		h := &Host{Name: hn, plugins: map[string]*PluginDir{}}
		ix.addPlugins(h, hpath)
		if len(h.Plugins) == 0 {
			continue
		}
		ix.Hosts = append(ix.Hosts, h)
		ix.hosts[hn] = h
	}
	return ix, nil
}

func (ix *Index) addPlugins(h *Host, hpath string) {
	names, err := readDir(hpath)
	if err != nil {
		ix.refuse(hpath, err.Error())
		return
	}
	for _, pn := range names {
		ppath := filepath.Join(hpath, pn)
		if !ix.accept(ppath, pn, true) {
			continue
		}
		plugin, inst, _ := strings.Cut(pn, "-")
		if plugin == "" {
			ix.refuse(ppath, "empty plugin name")
			continue
		}
		p := &PluginDir{Name: pn, Plugin: plugin, Instance: inst, Host: h, files: map[string]*File{}}
		ix.addFiles(p, ppath)
		if len(p.Files) == 0 {
			continue
		}
		h.Plugins = append(h.Plugins, p)
		h.plugins[pn] = p
	}
}

func (ix *Index) addFiles(p *PluginDir, ppath string) {
	names, err := readDir(ppath)
	if err != nil {
		ix.refuse(ppath, err.Error())
		return
	}
	for _, fn := range names {
		name, ok := strings.CutSuffix(fn, ".rrd")
		if !ok {
			continue
		}
		fpath := filepath.Join(ppath, fn)
		if name == "" || !ix.accept(fpath, fn, false) {
			continue
		}
		typ, inst, _ := strings.Cut(name, "-")
		if typ == "" {
			ix.refuse(fpath, "empty type name")
			continue
		}
		fi, err := os.Stat(fpath)
		if err != nil {
			ix.refuse(fpath, err.Error())
			continue
		}
		f := &File{Name: name, Type: typ, Instance: inst, Dir: p, ModTime: fi.ModTime(), path: fpath, root: ix.Root}
		p.Files = append(p.Files, f)
		p.files[name] = f
	}
}

// accept checks one entry: its name, its kind (directory or regular
// file), and for a symlink that it resolves inside Root.
func (ix *Index) accept(path, name string, wantDir bool) bool {
	if reason := badName(name); reason != "" {
		ix.refuse(path, reason)
		return false
	}
	fi, err := os.Lstat(path)
	if err != nil {
		ix.refuse(path, err.Error())
		return false
	}
	if fi.Mode()&os.ModeSymlink != 0 {
		target, err := resolveInside(ix.Root, path)
		if err != nil {
			ix.refuse(path, err.Error())
			return false
		}
		if fi, err = os.Lstat(target); err != nil {
			ix.refuse(path, err.Error())
			return false
		}
	}
	if wantDir && !fi.IsDir() {
		return false // stray files next to host or plugin directories
	}
	if !wantDir && !fi.Mode().IsRegular() {
		ix.refuse(path, "not a regular file")
		return false
	}
	return true
}

func (ix *Index) refuse(path, reason string) {
	rel, err := filepath.Rel(ix.Root, path)
	if err != nil {
		rel = path
	}
	ix.Refused = append(ix.Refused, Refusal{Path: rel, Reason: reason})
}

// resolveInside resolves a symlink and checks the result lies in root.
func resolveInside(root, path string) (string, error) {
	target, err := filepath.EvalSymlinks(path)
	if err != nil {
		return "", fmt.Errorf("datadir: symlink %s: %w", path, err)
	}
	if target != root && !strings.HasPrefix(target, root+string(filepath.Separator)) {
		return "", fmt.Errorf("datadir: symlink %s leads out of DataDir (to %s)", path, target)
	}
	return target, nil
}

// badName says why a name cannot be indexed, or returns "".
func badName(name string) string {
	if strings.HasPrefix(name, ".") {
		return "hidden name"
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c < 0x20 || c == 0x7f {
			return fmt.Sprintf("control character %q in name", c)
		}
	}
	return ""
}

// readDir returns the names in dir, sorted.
func readDir(dir string) ([]string, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	names, err := f.Readdirnames(-1)
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	return names, nil
}
