package catalogue

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

// parseTypesDB reads a collectd types.db: type name -> data sources.
func parseTypesDB(t *testing.T, path string) map[string][]TypeDS {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("types.db: %v", err)
	}
	defer f.Close()
	out := map[string][]TypeDS{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		fields := strings.Fields(line)
		var ds []TypeDS
		// Data sources are separated by commas, blanks or both.
		specs := strings.FieldsFunc(strings.Join(fields[1:], " "), func(r rune) bool { return r == ',' || r == ' ' || r == '\t' })
		for _, spec := range specs {
			p := strings.Split(spec, ":")
			if len(p) != 4 {
				t.Fatalf("%s: bad data source %q in %q", path, spec, line)
			}
			ds = append(ds, TypeDS{DS{p[0], p[1]}, p[2], p[3]})
		}
		out[fields[0]] = ds
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestShippedTypesDB: collectd.conf.d/rtorrent.types.db defines exactly
// Types(), so what the plugin dispatches matches what collectd expects.
func TestShippedTypesDB(t *testing.T) {
	shipped := parseTypesDB(t, "../../collectd.conf.d/rtorrent.types.db")
	if len(shipped) != len(Types()) {
		t.Errorf("shipped types.db has %d types, Types() %d", len(shipped), len(Types()))
	}
	for _, td := range Types() {
		got, ok := shipped[td.Name]
		if !ok {
			t.Errorf("type %s missing from rtorrent.types.db", td.Name)
			continue
		}
		if len(got) != len(td.DS) {
			t.Errorf("%s: %d data sources shipped, %d defined", td.Name, len(got), len(td.DS))
			continue
		}
		for i := range got {
			if got[i] != td.DS[i] {
				t.Errorf("%s: data source %d shipped as %+v, defined as %+v", td.Name, i, got[i], td.DS[i])
			}
		}
	}
}

// TestCatalogueTypesExist: every type the catalogue uses exists, in
// collectd's own types.db or ours, with the data sources (names, kinds and
// order) the mapping fills in.
func TestCatalogueTypesExist(t *testing.T) {
	const std = "/usr/share/collectd/types.db"
	if _, err := os.Stat(std); err != nil {
		t.Fatalf("%s: %v (make deps installs collectd-core)", std, err)
	}
	all := parseTypesDB(t, std)
	for name, ds := range parseTypesDB(t, "../../collectd.conf.d/rtorrent.types.db") {
		if _, clash := all[name]; clash {
			t.Errorf("our type %s shadows collectd's", name)
		}
		all[name] = ds
	}
	for _, m := range All() {
		got, ok := all[m.Type]
		if !ok {
			t.Errorf("%s: type %s is in no types.db", m.ID(), m.Type)
			continue
		}
		if len(got) != len(m.DS) {
			t.Errorf("%s: type %s has %d data sources, the catalogue %d", m.ID(), m.Type, len(got), len(m.DS))
			continue
		}
		for i := range got {
			if got[i].DS != m.DS[i] {
				t.Errorf("%s: data source %d is %+v in types.db, %+v in the catalogue", m.ID(), i, got[i].DS, m.DS[i])
			}
		}
	}
}
