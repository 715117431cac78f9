#!/bin/sh
# build.sh BUILD VERSION: lays out the rtmon package from the binaries
# `make build` left in BUILD and builds BUILD/rtmon_VERSION_ARCH.deb with
# Debian's own tools: dpkg-shlibdeps computes Depends from the binaries,
# dpkg-gencontrol writes the control file, dpkg-deb builds the archive
# (owned by root without fakeroot). Run from the repository's top; `make
# deb` is the way in (docs/build.md). Nothing is fetched.
set -eu

build=$1
version=$2
# CONFSRC: where collectd.conf.d/ and dist/viewer.conf come from (dist's
# test builds a "newer version" from a changed copy); the repository's.
src=${CONFSRC:-.}
case $version in
'' | *[!0-9A-Za-z.+~-]*)
	echo "deb: version '$version' is not a Debian version" >&2
	exit 1
	;;
esac
arch=$(dpkg --print-architecture)
work=$build/deb
root=$work/debian/rtmon
out=$build/rtmon_${version}_${arch}.deb
confd=$root/etc/collectd/collectd.conf.d
doc=$root/usr/share/doc/rtmon

rm -rf "$work"
install -d -m 0755 "$root/DEBIAN" "$confd" "$root/etc/rtmon" "$root/usr/bin" \
	"$root/usr/lib/collectd" "$root/usr/share/rtmon" "$root/lib/systemd/system" \
	"$doc" "$root/usr/share/man/man1"

# Binaries, stripped as dh_strip would.
install -m 0644 "$build/rtorrent.so" "$root/usr/lib/collectd/rtorrent.so"
install -m 0755 "$build/rtmon-viewer" "$build/rtmon-probe" "$build/rtmon-notify" "$root/usr/bin/"
for f in "$root/usr/lib/collectd/rtorrent.so" "$root/usr/bin/rtmon-viewer" "$root/usr/bin/rtmon-probe" "$root/usr/bin/rtmon-notify"; do
	strip --remove-section=.comment --remove-section=.note --strip-unneeded "$f"
done

# The snippets, conffiles: rtorrent.conf holds rTorrent's credentials and
# is readable by root only (collectd reads its configuration as root).
# The types db is rtmon's and follows the plugin, so it is no conffile:
# it lives in /usr/share/rtmon and rtorrent.conf's TypesDB names it there.
# The viewer's user reaches collectd's socket through the rtmon group.
sed 's|"/etc/collectd/collectd.conf.d/rtorrent.types.db"|"/usr/share/rtmon/rtorrent.types.db"|' \
	"$src/collectd.conf.d/rtorrent.conf" >"$work/rtorrent.conf"
grep -q '"/usr/share/rtmon/rtorrent.types.db"' "$work/rtorrent.conf" ||
	{ echo "deb: rtorrent.conf has no TypesDB line naming rtorrent.types.db" >&2; exit 1; }
sed 's/^  SocketGroup "root"$/  SocketGroup "rtmon"/' "$src/collectd.conf.d/unixsock.conf" >"$work/unixsock.conf"
grep -q '^  SocketGroup "rtmon"$' "$work/unixsock.conf" ||
	{ echo "deb: unixsock.conf has no SocketGroup line" >&2; exit 1; }
install -m 0640 "$work/rtorrent.conf" "$confd/rtorrent.conf"
install -m 0644 "$work/unixsock.conf" "$confd/unixsock.conf"
install -m 0644 "$src/collectd.conf.d/rrdtool.conf" "$src/collectd.conf.d/host.conf" "$confd/"
install -m 0644 "$src/dist/viewer.conf" "$root/etc/rtmon/viewer.conf"
install -m 0644 "$src/collectd.conf.d/rtorrent.types.db" "$root/usr/share/rtmon/rtorrent.types.db"
# Optional snippets, not active: the user copies them into
# collectd.conf.d (docs/alerts.md, docs/prometheus.md).
install -d -m 0755 "$doc/examples"
sed -e 's|/usr/local/bin/rtmon-notify|/usr/bin/rtmon-notify|' -e 's|NotificationExec "nobody"|NotificationExec "rtmon"|' \
	-e 's|install -d -o nobody -m 0755 /var/lib/rtmon/problems|(the package made it, owned by rtmon)|' collectd.conf.d/alerts.conf.example >"$doc/examples/alerts.conf"
install -m 0644 collectd.conf.d/thresholds.conf collectd.conf.d/prometheus.conf "$doc/examples/"
chmod 0644 "$doc/examples/alerts.conf"
if [ -f dist/rtorrent/rtmon-events.rc ]; then
	install -m 0644 dist/rtorrent/rtmon-events.rc "$root/usr/share/rtmon/rtmon-events.rc"
fi

# The unit, with the package's paths.
sed -e 's|/usr/local/bin/rtmon-viewer|/usr/bin/rtmon-viewer|' \
	-e 's|/usr/local/share/doc/rtmon/|/usr/share/doc/rtmon/|' \
	-e 's|^# `make install`; runs|# the rtmon package; runs|; s|^# Installed by$|# Installed by|' \
	-e 's|not here: make$|not here:|' -e 's|^# install replaces this file|# an upgrade replaces this file|' \
	dist/rtmon-viewer.service >"$root/lib/systemd/system/rtmon-viewer.service"
chmod 0644 "$root/lib/systemd/system/rtmon-viewer.service"
grep -q '^ExecStart=/usr/bin/rtmon-viewer ' "$root/lib/systemd/system/rtmon-viewer.service" ||
	{ echo "deb: the unit's ExecStart does not name /usr/bin/rtmon-viewer" >&2; exit 1; }

# Docs, man pages, changelog, copyright.
install -m 0644 README.md docs/*.md "$doc/"
install -m 0644 dist/deb/copyright "$doc/copyright"
for m in rtmon-viewer rtmon-probe rtmon-notify; do
	gzip -9n <"dist/man/$m.1" >"$root/usr/share/man/man1/$m.1.gz"
done
when=$(git log -1 --format=%ct 2>/dev/null || date +%s)
{
	printf 'rtmon (%s) unstable; urgency=medium\n\n' "$version"
	printf '  * rtmon %s, built from its repository (README.md).\n\n' "$version"
	printf ' -- rtmon maintainers <rtmon@example.org>  %s\n' "$(LC_ALL=C date -R -u -d "@$when")"
} >"$work/debian/changelog"
gzip -9n <"$work/debian/changelog" >"$doc/changelog.gz"
find "$root" -path "$root/DEBIAN" -prune -o -type f -exec touch -h -d "@$when" {} +

# Maintainer scripts and the control file.
install -m 0755 dist/deb/postinst dist/deb/prerm dist/deb/postrm "$root/DEBIAN/"
(cd "$root" && find etc -type f | sort | sed 's|^|/|') >"$root/DEBIAN/conffiles"
chmod 0644 "$root/DEBIAN/conffiles"
cp dist/deb/control "$work/debian/control"
(
	cd "$work"
	dpkg-shlibdeps -Tdebian/rtmon.substvars debian/rtmon/usr/bin/rtmon-viewer \
		debian/rtmon/usr/bin/rtmon-probe debian/rtmon/usr/bin/rtmon-notify \
		debian/rtmon/usr/lib/collectd/rtorrent.so
	dpkg-gencontrol -prtmon -v"$version" -ldebian/changelog -cdebian/control \
		-Tdebian/rtmon.substvars -Pdebian/rtmon
)
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z |
	xargs -0 md5sum) >"$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/md5sums"

# DEB_COMPRESS: xz, dpkg-deb's default; dist's tests take gzip, which
# is much faster and changes nothing else.
SOURCE_DATE_EPOCH=$when dpkg-deb --root-owner-group -Z"${DEB_COMPRESS:-xz}" --build "$root" "$out" >/dev/null
echo "deb: $out"
