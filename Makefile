# rtmon — see README.md and docs/ for what each target does and why.
#
#   make deps     install the Debian packages rtmon builds and tests against (root)
#   make build    build/rtorrent.so, build/rtmon-viewer, build/rtmon-probe, build/rtmon-notify
#   make test     deps + build, then the whole test suite against real components
#   make fuzz     a fuzz campaign of FUZZTIME per target (not part of make test)
#   make demo     deps + build, then the whole stack on loopback until Ctrl-C
#   make install  plugin, snippets, viewer and its systemd unit (root); make uninstall
#   make bench    short runs of bench/readcost, bench/rss and bench/viewer (docs/PERFORMANCE.md);
#                 make bench-deps installs wrk, which only the benchmarks need

SHELL := /bin/bash
export PATH := /usr/local/go/bin:$(PATH)
GO ?= go
BUILD := build

# collectd's include paths are written once, as the #cgo CPPFLAGS of
# plugin/collectd/c.go, rtmon's own glue to collectd's C API, so no
# target needs CGO_CPPFLAGS (docs/build.md).
export CGO_ENABLED := 1

# Debian packages: the real components the tests start, and the headers
# and libraries the build links against. libpython3.11 is what collectd's
# python plugin links (collectd-core only suggests it); the hostile-peer
# test (viewer/web) sends its names through that plugin. systemd gives
# systemd-analyze, which scores and checks the viewer's unit (dist's tests;
# Debian's container images lack it), and strace records which system calls
# the viewer makes under the unit's restrictions.
DEB_PACKAGES := collectd-core collectd-dev rrdtool librrd-dev rtorrent opentracker \
	mktorrent nginx chromium gcc pkg-config procps libpython3.11 systemd strace \
	prometheus victoria-metrics libprotobuf-c1 libmicrohttpd12 libesmtp6 rrdcached

# Test knobs: TESTFLAGS for extra go test flags (e.g. TESTFLAGS=-short).
# `make test` runs each fuzz target's seed corpus only (go test does that
# for every Fuzz function), so its result depends on the tree alone; the
# random campaigns are `make fuzz`, FUZZTIME per target (a duration), to
# run before changing a decoder (docs/build.md). -timeout 0 keeps go test's
# own 10-minute default from cutting a long campaign short.
TESTFLAGS ?=
FUZZTIME ?= 4m

PLUGIN_SRC := $(wildcard plugin/*.go)
VIEWER_SRC := $(wildcard viewer/*.go)
TARGETS := $(BUILD)/rtmon-probe $(BUILD)/rtmon-demo $(BUILD)/rtmon-notify
ifneq ($(PLUGIN_SRC),)
TARGETS += $(BUILD)/rtorrent.so
endif
ifneq ($(VIEWER_SRC),)
TARGETS += $(BUILD)/rtmon-viewer
endif

.PHONY: all deps build test unit short fuzz demo install uninstall clean
.PHONY: bench bench-deps bench-readcost bench-rss bench-viewer
.PHONY: $(BUILD)/rtmon-probe $(BUILD)/rtmon-demo $(BUILD)/rtmon-notify $(BUILD)/rtorrent.so $(BUILD)/rtmon-viewer

all: build

# deps: installs only what is missing; does nothing when all is present.
deps:
	@missing=$$(for p in $(DEB_PACKAGES); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed$$' || echo $$p; done); \
	if [ -z "$$missing" ]; then echo "deps: all Debian packages present"; exit 0; fi; \
	if [ "$$(id -u)" != 0 ]; then \
		echo "deps: missing Debian packages: $$missing"; \
		echo "deps: run as root (sudo make deps) or: sudo apt-get update && sudo apt-get install -y $$missing"; exit 1; fi; \
	echo "deps: installing $$missing"; \
	apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing
	@command -v $(GO) >/dev/null || { echo "deps: Go not found (expected /usr/local/go/bin/go, Go 1.26)"; exit 1; }

build: $(TARGETS)

$(BUILD)/rtmon-probe:
	$(GO) build -o $@ ./cmd/rtmon-probe

$(BUILD)/rtmon-demo:
	$(GO) build -o $@ ./cmd/rtmon-demo

$(BUILD)/rtmon-notify:
	$(GO) build -o $@ ./cmd/rtmon-notify

$(BUILD)/rtorrent.so:
	$(GO) build -buildmode=c-shared -o $@ ./plugin

$(BUILD)/rtmon-viewer:
	$(GO) build -o $@ ./viewer

# test: the whole suite, with the race detector; fuzz targets run their
# seed corpus (testdata/fuzz) as ordinary tests. Tests start rTorrent,
# opentracker, nginx, collectd and Chromium themselves on loopback and
# stop them afterwards.
test: deps build short unit

# short: the unit layer (go test -short), which passes in seconds with no
# daemon runnable and no flags from this Makefile. As root it proves the
# first: in a private mount namespace each daemon's binary is hidden
# behind a bind mount of /dev/null (no longer an executable file), so a
# short test that needs one fails here instead of on a newcomer's machine
# (testenv.Need skips under -short). CGO_CPPFLAGS is removed from the
# environment to prove the second, for every package.
SHORT_HIDE := rtorrent collectd collectdmon rrdtool rrdcached nginx opentracker mktorrent chromium
short:
	@run="env -u CGO_CPPFLAGS $(GO) test -short -count=1 $(TESTFLAGS) ./..."; \
	if [ "$$(id -u)" = 0 ] && unshare -m true 2>/dev/null; then \
		echo "short: daemons hidden, no CGO_CPPFLAGS: go test -short ./..."; \
		unshare -m bash -c "for b in $(SHORT_HIDE); do for d in /usr/bin /usr/sbin /usr/local/bin /usr/local/sbin /bin /sbin; do \
			if [ -f \$$d/\$$b ]; then mount --bind /dev/null \$$d/\$$b || exit 1; fi; done; done; exec $$run"; \
	else echo "short: not root, so the daemons stay visible; no CGO_CPPFLAGS: go test -short ./..."; $$run; fi

unit:
	RTMON_BUILD=$(CURDIR)/$(BUILD) $(GO) test -race -count=1 -timeout 30m $(TESTFLAGS) ./...

fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
		for f in $$($(GO) test -list '^Fuzz' $$pkg 2>/dev/null | grep '^Fuzz'); do \
			echo "fuzz: $$pkg $$f for $(FUZZTIME)"; \
			$(GO) test -run '^$$' -fuzz "^$$f\$$" -fuzztime $(FUZZTIME) -parallel 1 -timeout 0 $$pkg; \
		done; done

# demo: the whole stack in a private directory until Ctrl-C (docs/demo.md).
# RTORRENT_URL=scgi:///path/rpc.socket watches your rTorrent instead of
# the demo swarm; DEMO_FLAGS passes more flags (e.g. -listen, -dir).
DEMO_FLAGS ?=
demo: deps build
	$(BUILD)/rtmon-demo -snippets collectd.conf.d $(DEMO_FLAGS)

# install: what docs/install.md describes, as root. DESTDIR installs into
# a staging tree (and then creates no user and touches no service). The
# user's collectd.conf is never edited. The files a user may edit (the
# .conf snippets and viewer.conf) go through dist/conffile.sh: an edited
# copy is never replaced or removed, the new version lands beside it as
# <name>.rtmon-new; rtorrent.conf, which holds rTorrent's password, is
# 0640 root:root. rtorrent.types.db is rtmon's and follows the plugin.
# CONFSRC is where the shipped collectd.conf.d/ and dist/viewer.conf come
# from (dist's test points it at a changed copy to play a new version).
DESTDIR ?=
CONFSRC ?= .
PLUGINDIR := $(DESTDIR)/usr/lib/collectd
CONFD := $(DESTDIR)/etc/collectd/collectd.conf.d
CONFFILE := DESTDIR=$(DESTDIR) sh dist/conffile.sh
install: build
	install -d $(PLUGINDIR) $(CONFD) $(DESTDIR)/usr/local/bin $(DESTDIR)/etc/systemd/system \
		$(DESTDIR)/etc/rtmon $(DESTDIR)/usr/local/share/doc/rtmon
	install -m 0644 $(BUILD)/rtorrent.so $(PLUGINDIR)/rtorrent.so
	install -m 0644 $(CONFSRC)/collectd.conf.d/rtorrent.types.db $(CONFD)/rtorrent.types.db
	sed 's/^  SocketGroup "root"$$/  SocketGroup "rtmon"/' $(CONFSRC)/collectd.conf.d/unixsock.conf >$(BUILD)/unixsock.conf
	$(CONFFILE) install 0644 $(CONFSRC)/collectd.conf.d/rrdtool.conf $(CONFD)/rrdtool.conf
	$(CONFFILE) install 0644 $(CONFSRC)/collectd.conf.d/host.conf $(CONFD)/host.conf
	$(CONFFILE) install 0644 $(BUILD)/unixsock.conf $(CONFD)/unixsock.conf
	$(CONFFILE) install 0640 $(CONFSRC)/collectd.conf.d/rtorrent.conf $(CONFD)/rtorrent.conf
	$(CONFFILE) install 0644 $(CONFSRC)/dist/viewer.conf $(DESTDIR)/etc/rtmon/viewer.conf
	install -m 0755 $(BUILD)/rtmon-viewer $(BUILD)/rtmon-probe $(DESTDIR)/usr/local/bin/
	install -m 0644 dist/rtmon-viewer.service $(DESTDIR)/etc/systemd/system/rtmon-viewer.service
	install -m 0644 docs/*.md $(DESTDIR)/usr/local/share/doc/rtmon/
	@if [ -z "$(DESTDIR)" ]; then \
		getent group rtmon >/dev/null || groupadd --system rtmon; \
		getent passwd rtmon >/dev/null || useradd --system --gid rtmon --home-dir /nonexistent --shell /usr/sbin/nologin rtmon; \
		if [ -d /run/systemd/system ]; then systemctl daemon-reload; \
			echo "install: now edit $(CONFD)/rtorrent.conf, then: systemctl restart collectd; systemctl enable --now rtmon-viewer"; \
		else echo "install: no systemd here; run collectd -f and rtmon-viewer -config /etc/rtmon/viewer.conf under your supervisor"; fi; \
	fi

# uninstall: removes what install put there, except the files you edited
# (dist/conffile.sh names each one it keeps) and the rtmon user.
uninstall:
	@# stop the service while its unit file is still there
	@if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ]; then systemctl disable --now rtmon-viewer 2>/dev/null || true; fi
	rm -f $(PLUGINDIR)/rtorrent.so $(CONFD)/rtorrent.types.db \
		$(DESTDIR)/usr/local/bin/rtmon-viewer $(DESTDIR)/usr/local/bin/rtmon-probe \
		$(DESTDIR)/etc/systemd/system/rtmon-viewer.service
	for f in rrdtool.conf host.conf unixsock.conf rtorrent.conf; do $(CONFFILE) remove $(CONFD)/$$f; done
	$(CONFFILE) remove $(DESTDIR)/etc/rtmon/viewer.conf
	$(CONFFILE) tidy
	rm -rf $(DESTDIR)/usr/local/share/doc/rtmon
	rmdir $(DESTDIR)/etc/rtmon 2>/dev/null || true
	@echo "uninstall: kept the rtmon user and whatever else you put in $(DESTDIR)/etc/rtmon; remove them by hand if you want them gone"
	@if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ]; then systemctl daemon-reload; fi

clean:
	rm -rf $(BUILD)

# bench: the figures of docs/PERFORMANCE.md, with short defaults; the full
# runs are bench/readcost at 1,000-50,000 items, bench/rss's default 30
# minutes and RUNS=5 WRK_DURATION=20s (docs/build.md). wrk is only needed here, so it has its own package list
# and `make deps` and `make test` do without it.
BENCH_PACKAGES := wrk
RSS_DURATION ?= 3m
BENCH_RUNS ?= 3
WRK_DURATION ?= 10s
READCOST_ITEMS ?= 1000,10000
READCOST_RUNS ?= 3
bench: bench-readcost bench-rss bench-viewer

bench-deps:
	@missing=$$(for p in $(BENCH_PACKAGES); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed$$' || echo $$p; done); \
	if [ -z "$$missing" ]; then echo "bench-deps: all present"; exit 0; fi; \
	if [ "$$(id -u)" != 0 ]; then \
		echo "bench-deps: missing Debian packages: $$missing"; \
		echo "bench-deps: run as root (sudo make bench-deps) or: sudo apt-get update && sudo apt-get install -y $$missing"; exit 1; fi; \
	echo "bench-deps: installing $$missing"; \
	apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing

bench-readcost: deps
	$(GO) run ./bench/readcost -items $(READCOST_ITEMS) -runs $(READCOST_RUNS) -real 1m -budget 0

bench-rss: deps build
	$(GO) run ./bench/rss -duration $(RSS_DURATION) -build $(BUILD) -snippets collectd.conf.d

bench-viewer: deps bench-deps build
	RUNS=$(BENCH_RUNS) WRK_DURATION=$(WRK_DURATION) BUILD=$(BUILD) bench/viewer/run.sh
