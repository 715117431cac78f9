#!/bin/sh
# conffile.sh: how `make install` and `make uninstall` treat the files a
# user may edit (the collectd snippets and the viewer's settings), as dpkg
# treats conffiles. It remembers the SHA-256 of every such file it wrote in
# $DESTDIR/usr/local/share/rtmon/conffiles, so that it can tell a copy
# nobody touched since (replaced by the new version, removed by uninstall)
# from one the user edited (never replaced, never removed).
#
#   conffile.sh install MODE SRC DEST
#       DEST absent, or unedited since install wrote it: SRC is installed
#       there with MODE (root:root when run as root).
#       DEST already equal to SRC: left as it is.
#       DEST edited (or written by an rtmon that kept no record, and
#       different from SRC): kept; SRC goes to DEST.rtmon-new, which
#       collectd's Include filter "*.conf" does not read, and one line says
#       so.
#       Either way, when MODE gives nothing to other users and DEST is
#       readable by them, their access is taken away (the rTorrent password
#       lives in rtorrent.conf).
#   conffile.sh remove DEST
#       removes DEST and DEST.rtmon-new when each is what install wrote;
#       keeps, and names, the ones the user edited, which are then the
#       user's alone: the record forgets them.
#   conffile.sh tidy
#       after the removes: drops the record when it is empty.
#
# The record only ever holds the sums of files as rtmon ships them, never
# of a file the user edited: no hash of rTorrent's password to guess at.
# DESTDIR stages into another tree; the record holds paths without it.
set -eu

destdir=${DESTDIR:-}
share=$destdir/usr/local/share/rtmon
manifest=$share/conffiles

sum() { sha256sum "$1" | cut -d' ' -f1; }

# recorded PATH: the SHA-256 install last wrote at PATH, or nothing.
recorded() {
	[ -f "$manifest" ] || return 0
	awk -v p="$1" '$2 == p { s = $1 } END { if (s != "") print s }' "$manifest"
}

# record PATH SUM, forget PATH: update the record through a rename, so an
# interrupted install never leaves it half written.
record() {
	mkdir -p "$share"
	{ [ -f "$manifest" ] && awk -v p="$1" '$2 != p' "$manifest"; echo "$2 $1"; } >"$manifest.tmp"
	mv "$manifest.tmp" "$manifest"
}
forget() {
	[ -f "$manifest" ] || return 0
	awk -v p="$1" '$2 != p' "$manifest" >"$manifest.tmp"
	mv "$manifest.tmp" "$manifest"
}

# put MODE SRC DEST: install and record.
put() {
	if [ "$(id -u)" = 0 ]; then
		install -m "$1" -o root -g root "$2" "$3"
	else
		install -m "$1" "$2" "$3"
	fi
	record "${3#"$destdir"}" "$(sum "$3")"
}

# tighten MODE DEST: no access for other users when MODE gives them none.
tighten() {
	case $1 in *0) ;; *) return 0 ;; esac
	if [ -n "$(find "$2" -maxdepth 0 -perm /o=rwx)" ]; then
		chmod o-rwx "$2"
		echo "install: $2 was readable by every user; it holds passwords: now chmod o-rwx"
	fi
}

# drop_new DEST: DEST.rtmon-new is stale once DEST is current; remove it
# if it is still what install wrote.
drop_new() {
	new=$1.rtmon-new
	[ -e "$new" ] || return 0
	if [ "$(sum "$new")" = "$(recorded "${new#"$destdir"}")" ]; then
		rm -f "$new"
		forget "${new#"$destdir"}"
	fi
}

do_install() {
	mode=$1 src=$2 dest=$3
	rel=${dest#"$destdir"}
	if [ ! -e "$dest" ]; then
		put "$mode" "$src" "$dest"
	elif [ "$(sum "$dest")" = "$(sum "$src")" ]; then
		record "$rel" "$(sum "$dest")"
		tighten "$mode" "$dest"
	elif [ "$(sum "$dest")" = "$(recorded "$rel")" ]; then
		put "$mode" "$src" "$dest"
		echo "install: updated $dest (you had not edited it)"
	else
		why="you edited it"
		[ -n "$(recorded "$rel")" ] || why="it differs from this version, and no earlier install recorded writing it"
		put "$mode" "$src" "$dest.rtmon-new"
		tighten "$mode" "$dest"
		echo "install: kept $dest ($why); this version's is $dest.rtmon-new: merge what you want (diff -u $dest $dest.rtmon-new), then delete it"
		return 0
	fi
	drop_new "$dest"
}

# remove_one PATH
remove_one() {
	rel=${1#"$destdir"}
	if [ ! -e "$1" ]; then
		forget "$rel"
	elif [ "$(sum "$1")" = "$(recorded "$rel")" ]; then
		rm -f "$1"
		forget "$rel"
	elif [ -z "$(recorded "$rel")" ]; then
		echo "uninstall: kept $1 (no record that install wrote it as it is; remove it by hand if it is not yours)"
	else
		forget "$rel"
		echo "uninstall: kept $1 (you edited it)"
	fi
}

case ${1:-} in
install)
	[ $# = 4 ] || { echo "usage: conffile.sh install MODE SRC DEST" >&2; exit 2; }
	do_install "$2" "$3" "$4"
	;;
remove)
	[ $# = 2 ] || { echo "usage: conffile.sh remove DEST" >&2; exit 2; }
	remove_one "$2"
	remove_one "$2.rtmon-new"
	;;
tidy)
	if [ -f "$manifest" ] && [ ! -s "$manifest" ]; then rm -f "$manifest"; fi
	rmdir "$share" 2>/dev/null || true
	;;
*)
	echo "usage: conffile.sh install MODE SRC DEST | remove DEST | tidy" >&2
	exit 2
	;;
esac
