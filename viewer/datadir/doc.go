// Package datadir indexes collectd's rrdtool DataDir:
// DataDir/<host>/<plugin>[-<instance>]/<type>[-<instance>].rrd.
//
// The index is the viewer's only way to reach a file. Requests name a host,
// a plugin directory and a file, and the viewer looks each name up in the
// index; a name that is not there is not found, so no file path is ever
// built from request text, and "..", encoded slashes and the like simply
// match nothing.
//
// The index is built by walking DataDir with os.Lstat. A symlink is
// followed only when it resolves inside DataDir (a central collectd may
// link hosts to each other); one leading out of DataDir is refused and
// listed in Index.Refused. Names holding control characters (a newline, a
// NUL) or starting with '.' are refused too: collectd never writes them,
// and they cannot be sent to collectd's unixsock as identifiers.
//
// The index only says which files exist. Every read opens its file again
// with File.Open, which resolves the whole path beneath DataDir (a
// directory swapped for a symlink out of it after indexing is refused),
// checks the header, and gives librrd /proc/self/fd/N of that open file
// (Handle.Path, Handle.File), so what librrd reads is what was checked.
package datadir
