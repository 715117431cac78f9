package layout

import "strings"

// module is rtmon's module path; rules name packages relative to it.
const module = "github.com/rtmon/rtmon"

// rule says which rtmon packages the packages under who may link, and
// which outside modules they must not. docs/ARCHITECTURE.md gives the why.
type rule struct {
	// who is a package, or a folder with every package under it; the
	// longest who that matches a package is its rule.
	who string
	// may lists the rtmon packages or folders who's code may depend on,
	// directly or not; who itself and everything under it always may.
	may []string
	// never lists outside module prefixes who must not link.
	never []string
	// stdOnly: who links the standard library alone.
	stdOnly bool
	// testOnly: who is test support; no package's code may link it,
	// only tests may import it.
	testOnly bool
}

// rules is the table docs/ARCHITECTURE.md explains, one row per folder.
var rules = []rule{
	{who: "internal/catalogue", stdOnly: true},
	{who: "internal/rtorrent"},
	{who: "internal/reader", may: []string{"internal/rtorrent"}},
	{who: "internal/collectdconf"},
	{who: "internal/testenv"},
	{who: "internal/layout"},
	{who: "internal/grafana", may: []string{"internal/catalogue"}},
	{who: "internal/promstack", may: []string{"internal/catalogue", "internal/grafana"}},
	{who: "plugin", may: []string{"internal/catalogue", "internal/rtorrent", "internal/reader"},
		never: []string{"collectd.org/plugin"}},
	{who: "plugin/collectd", never: []string{"collectd.org/plugin"}},
	{who: "viewer", may: []string{"internal/catalogue"},
		never: []string{"github.com/kolo/", "collectd.org/"}},
	{who: "viewer/rrd/rrdtest", stdOnly: true, testOnly: true},
	{who: "cmd/rtmon-probe", may: []string{"internal/rtorrent", "internal/reader"}},
	{who: "cmd/rtmon-notify", may: []string{"viewer/problems"}},
	{who: "cmd/rtmon-demo", may: []string{"internal/testenv", "internal/collectdconf"}},
	{who: "bench", may: []string{"internal"}},
	{who: "bench/fleet", may: []string{"internal", "plugin/dispatch", "viewer/fleet", "viewer/datadir", "viewer/unixsock", "viewer/rrdcached", "viewer/problems"}},
	{who: "dist"},
}

// testMay is what every test may import beyond its package's rule: the
// test environment, which starts the real daemons; the collectd
// config writer the tests and the demo start collectd with; and the
// catalogue, a leaf that any test may check identifiers against.
var testMay = []string{"internal/testenv", "internal/collectdconf", "internal/catalogue"}

// testExceptions are the test imports that break their package's rule on
// purpose, each with its reason.
var testExceptions = map[[2]string]string{
	{"internal/reader", "plugin/dispatch"}: "the bad-input tests check what the plugin would dispatch from a damaged reply",
}

// under reports whether pkg (relative to the module) is dir or below it.
func under(pkg, dir string) bool {
	return pkg == dir || strings.HasPrefix(pkg, dir+"/")
}

// ruleFor returns the rule with the longest who covering pkg.
func ruleFor(pkg string) (rule, bool) {
	var best rule
	found := false
	for _, r := range rules {
		if under(pkg, r.who) && (!found || len(r.who) > len(best.who)) {
			best, found = r, true
		}
	}
	return best, found
}

// allows reports whether a package ruled by r may depend on the rtmon
// package dep (both relative to the module).
func (r rule) allows(dep string) bool {
	if under(dep, r.who) {
		return true
	}
	for _, m := range r.may {
		if under(dep, m) {
			return true
		}
	}
	return false
}
