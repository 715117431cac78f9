# rtmon — see README.md and docs/ for what each target does and why.
#
#   make deps     install the Debian packages rtmon builds and runs with (root);
#                 make demo adds the demo's, make test the tests' (see below)
#   make build    build/rtorrent.so, build/rtmon-viewer, build/rtmon-probe, build/rtmon-notify
#   make test     test-deps (all three sets) + build, then the whole test suite
#   make fuzz     a fuzz campaign of FUZZTIME per target (not part of make test)
#   make demo     demo-deps (build + demo sets) + build, then the stack on loopback
#   make deb      build/rtmon_<version>_<arch>.deb, the Debian package (docs/install.md)
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

# rtmon's version: the VERSION file is the one source. Every binary gets
# it through -ldflags -X main.version (a plain `go build` says "dev"), and
# `make deb` names and stamps the package with it. VERSION=x.y.z on the
# command line builds another version (dist's package test plays an
# upgrade with it).
VERSION ?= $(shell cat VERSION)
LDFLAGS := -X main.version=$(VERSION)
# The viewer and the probe are position-independent executables (ASLR for
# the program too, as Debian builds its own); the package's lintian
# check asks for it.

# Debian packages by purpose (README.md, docs/build.md):
#   BUILD_PACKAGES: what building and running rtmon needs: collectd and its
#     headers, rrdtool and librrd (the viewer links it through pkg-config),
#     a C compiler for cgo. `make deps` installs these.
#   DEMO_PACKAGES: what `make demo` adds: the loopback swarm.
#   TEST_PACKAGES: what the tests add: nginx (http(s) in front of
#     rTorrent), Chromium (the pages' tests), libpython3.11 (collectd's
#     python plugin links it, and the hostile-peer test sends its names
#     through that plugin), systemd (systemd-analyze scores the viewer's
#     unit; Debian's container images lack it), strace (which system calls
#     the viewer makes under the unit's restrictions), procps, lintian (the
#     package's check), dpkg-dev (make deb), rrdcached, prometheus,
#     victoria-metrics, and the libraries collectd's own plugins load in the
#     tests (libesmtp6, libprotobuf-c1, libmicrohttpd12).
# `make demo` installs BUILD and DEMO; `make test` installs all three.
BUILD_PACKAGES := collectd-core collectd-dev rrdtool librrd-dev gcc pkg-config
DEMO_PACKAGES := rtorrent opentracker mktorrent
TEST_PACKAGES := nginx chromium procps libpython3.11 systemd strace lintian dpkg-dev \
	rrdcached prometheus victoria-metrics libesmtp6 libprotobuf-c1 libmicrohttpd12
# DEB_PACKAGES: every package, for helpers that add theirs to one list.
DEB_PACKAGES := $(BUILD_PACKAGES) $(DEMO_PACKAGES) $(TEST_PACKAGES)

# The Go toolchain: go.mod's go line is the oldest that builds rtmon.
GO_MIN := $(shell sed -n 's/^go \([0-9.]*\)$$/\1/p' go.mod)

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

.PHONY: all deps demo-deps test-deps build deb test unit short fuzz demo install uninstall clean
.PHONY: bench bench-deps bench-readcost bench-rss bench-viewer
.PHONY: $(BUILD)/rtmon-probe $(BUILD)/rtmon-demo $(BUILD)/rtmon-notify $(BUILD)/rtorrent.so $(BUILD)/rtmon-viewer

all: build

# deps: installs only what is missing of PACKAGES (BUILD_PACKAGES unless a
# target below says more), then checks Go; does nothing when all is present.
# APT_FLAGS: the build and demo sets install without Recommends (a server
# gets no desktop bits); the tests' set keeps them, as before.
PACKAGES ?= $(BUILD_PACKAGES)
APT_FLAGS ?= --no-install-recommends
deps:
	@missing=$$(for p in $(PACKAGES); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed$$' || echo $$p; done); \
	if [ -z "$$missing" ]; then echo "deps: all Debian packages present"; exit 0; fi; \
	if [ "$$(id -u)" != 0 ]; then \
		echo "deps: missing Debian packages: $$missing"; \
		echo "deps: run as root (sudo make deps) or: sudo apt-get update && sudo apt-get install -y $$missing"; exit 1; fi; \
	echo "deps: installing $$missing"; \
	apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(APT_FLAGS) $$missing
	@command -v $(GO) >/dev/null || { echo "deps: Go not found (expected /usr/local/go/bin/go, Go $(GO_MIN) or newer)"; exit 1; }
	@have=$$($(GO) env GOVERSION | sed 's/^go//'); \
	if [ "$$(printf '%s\n%s\n' "$(GO_MIN)" "$$have" | sort -V | head -1)" != "$(GO_MIN)" ]; then \
		echo "deps: Go $$have is older than go.mod's $(GO_MIN)"; exit 1; fi

# demo-deps and test-deps: the same with the demo's and the tests' sets.
demo-deps:
	@$(MAKE) --no-print-directory deps PACKAGES="$(BUILD_PACKAGES) $(DEMO_PACKAGES)"
test-deps:
	@$(MAKE) --no-print-directory deps PACKAGES="$(DEB_PACKAGES)" APT_FLAGS=

build: $(TARGETS)

$(BUILD)/rtmon-probe:
	$(GO) build -buildmode=pie -ldflags "$(LDFLAGS)" -o $@ ./cmd/rtmon-probe

$(BUILD)/rtmon-demo:
	$(GO) build -ldflags "$(LDFLAGS)" -o $@ ./cmd/rtmon-demo

$(BUILD)/rtmon-notify:
	$(GO) build -buildmode=pie -ldflags "$(LDFLAGS)" -o $@ ./cmd/rtmon-notify

$(BUILD)/rtorrent.so:
	$(GO) build -buildmode=c-shared -ldflags "$(LDFLAGS)" -o $@ ./plugin

$(BUILD)/rtmon-viewer:
	$(GO) build -buildmode=pie -ldflags "$(LDFLAGS)" -o $@ ./viewer

# deb: the Debian package, build/rtmon_<version>_<arch>.deb, from the
# binaries of `make build` and dist/deb (docs/install.md, docs/build.md).
# Debian's tools (dpkg-dev) lay it out; nothing is fetched: Go's modules
# come from the module cache. VERSION=x.y.z builds another version. DEB_LINT=1
# runs lintian on the result. DEB_COMPRESS=gzip packs faster than xz.
DEB_COMPRESS ?= xz
deb: build
	@command -v dpkg-shlibdeps >/dev/null || { echo "deb: dpkg-shlibdeps not found: apt-get install dpkg-dev"; exit 1; }
	CONFSRC=$(CONFSRC) DEB_COMPRESS=$(DEB_COMPRESS) sh dist/deb/build.sh $(BUILD) $(VERSION)
	@if [ -n "$(DEB_LINT)" ]; then lintian --fail-on error $(BUILD)/rtmon_$(VERSION)_$$(dpkg --print-architecture).deb; fi

# test: the whole suite, with the race detector; fuzz targets run their
# seed corpus (testdata/fuzz) as ordinary tests. Tests start rTorrent,
# opentracker, nginx, collectd and Chromium themselves on loopback and
# stop them afterwards.
test: test-deps build short unit

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
demo: demo-deps build
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
	install -m 0755 $(BUILD)/rtmon-viewer $(BUILD)/rtmon-probe $(BUILD)/rtmon-notify $(DESTDIR)/usr/local/bin/
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
		$(DESTDIR)/usr/local/bin/rtmon-viewer $(DESTDIR)/usr/local/bin/rtmon-probe $(DESTDIR)/usr/local/bin/rtmon-notify \
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

bench-readcost: demo-deps
	$(GO) run ./bench/readcost -items $(READCOST_ITEMS) -runs $(READCOST_RUNS) -real 1m -budget 0

bench-rss: demo-deps build
	$(GO) run ./bench/rss -duration $(RSS_DURATION) -build $(BUILD) -snippets collectd.conf.d

bench-viewer: demo-deps bench-deps build
	RUNS=$(BENCH_RUNS) WRK_DURATION=$(WRK_DURATION) BUILD=$(BUILD) bench/viewer/run.sh
