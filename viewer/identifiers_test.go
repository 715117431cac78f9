package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rtmon/rtmon/internal/catalogue"
)

// TestIdentifiersWrittenOnce: no viewer source (tests aside) types an
// rTorrent identifier of the catalogue, or a family's prefix, as a string:
// it names the metric through internal/catalogue, so a renamed metric
// changes in one place. Bare types ("uptime", "if_octets") are left out,
// as host plugins use them too.
func TestIdentifiersWrittenOnce(t *testing.T) {
	banned := map[string]string{}
	for _, m := range catalogue.All() {
		if m.TypeInstance != "" {
			banned[m.ID()] = "identifier " + m.ID()
		}
	}
	for _, f := range []*catalogue.Family{catalogue.Items, catalogue.Sizes, catalogue.Ratios, catalogue.Peers, catalogue.Events, catalogue.Scan} {
		banned[f.Prefix] = "family prefix " + f.Prefix
		if f.Type != "" {
			banned[f.Type+"-"+f.Prefix] = "family prefix " + f.Type + "-" + f.Prefix
		}
	}
	found := 0
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		found++
		file, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(file, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil {
				return true
			}
			for _, cut := range []string{"", "*"} { // "count-items_*" patterns too
				if why, bad := banned[strings.TrimSuffix(s, cut)]; bad {
					t.Errorf("%s: string %q retypes the catalogue's %s", path, s, why)
					break
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if found < 10 {
		t.Fatalf("read %d viewer sources, expected the whole tree", found)
	}
}
