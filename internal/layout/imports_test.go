package layout

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// pkg is the part of `go list -json` the rules read.
type pkg struct {
	ImportPath   string
	Standard     bool
	Deps         []string // transitive, what the package's code links
	TestImports  []string
	XTestImports []string
}

// listAll runs go list over the whole module (go list reads the source
// only: no cgo flags, no build) and returns every package of rtmon and
// whether each import path is in the standard library.
func listAll(t *testing.T) (own []pkg, std map[string]bool) {
	t.Helper()
	goCmd, err := exec.LookPath("go") // go test puts its GOROOT/bin first on PATH
	if err != nil {
		t.Fatalf("no go command: %v", err)
	}
	cmd := exec.Command(goCmd, "list", "-e", "-deps", "-test=false",
		"-json=ImportPath,Standard,Deps,TestImports,XTestImports", module+"/...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.Bytes())
	}
	std = map[string]bool{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p pkg
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("go list output: %v", err)
		}
		std[p.ImportPath] = p.Standard
		if under(p.ImportPath, module) {
			own = append(own, p)
		}
	}
	if len(own) < 30 {
		t.Fatalf("go list found %d rtmon packages, want the whole module", len(own))
	}
	return own, std
}

// rel returns path relative to the module and whether it is rtmon's.
func rel(path string) (string, bool) {
	if path == module {
		return "", true
	}
	r, ok := strings.CutPrefix(path, module+"/")
	return r, ok
}

// TestImportRules checks every package of the module against rules: each
// package has a rule, its code links only the rtmon packages its rule
// allows and none of the outside modules it forbids, and its tests import
// only what the rule, testMay or testExceptions allow.
func TestImportRules(t *testing.T) {
	own, std := listAll(t)
	for _, p := range own {
		name, _ := rel(p.ImportPath)
		r, ok := ruleFor(name)
		if !ok {
			t.Errorf("%s has no import rule: add it to internal/layout's rules and docs/ARCHITECTURE.md", name)
			continue
		}
		for _, d := range p.Deps {
			if dn, mine := rel(d); mine {
				if dr, ok := ruleFor(dn); ok && dr.testOnly {
					t.Errorf("%s links %s, which is for tests only", name, dn)
				}
				if !r.allows(dn) {
					t.Errorf("%s links %s, which rule %q does not allow (docs/ARCHITECTURE.md)", name, dn, r.who)
				}
				continue
			}
			if r.stdOnly && !std[d] {
				t.Errorf("%s links %s: it may link the standard library only", name, d)
			}
			for _, n := range r.never {
				if strings.HasPrefix(d, n) {
					t.Errorf("%s links %s, which rule %q forbids", name, d, r.who)
				}
			}
		}
		for _, d := range append(append([]string{}, p.TestImports...), p.XTestImports...) {
			dn, mine := rel(d)
			if !mine || r.allows(dn) || testAllows(dn) {
				continue
			}
			if _, ok := testExceptions[[2]string{name, dn}]; ok {
				continue
			}
			t.Errorf("%s's tests import %s, which rule %q does not allow", name, dn, r.who)
		}
	}
}

func testAllows(dep string) bool {
	for _, m := range testMay {
		if under(dep, m) {
			return true
		}
	}
	return false
}

// TestArchitectureMapsEveryPackage: docs/ARCHITECTURE.md has a line for
// every package (a table row starting with "| `path`"), and no
// line for a package that is gone, so the map cannot fall behind a move.
func TestArchitectureMapsEveryPackage(t *testing.T) {
	own, _ := listAll(t)
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "ARCHITECTURE.md"))
	if err != nil {
		t.Fatal(err)
	}
	mapped := map[string]bool{}
	for _, line := range strings.Split(string(doc), "\n") {
		if rest, ok := strings.CutPrefix(line, "| `"); ok {
			if name, _, ok := strings.Cut(rest, "`"); ok {
				mapped[name] = true
			}
		}
	}
	listed := map[string]bool{}
	for _, p := range own {
		name, _ := rel(p.ImportPath)
		if name == "" {
			name = "."
		}
		listed[name] = true
		if !mapped[name] {
			t.Errorf("docs/ARCHITECTURE.md has no line for %s", name)
		}
	}
	for name := range mapped {
		if !listed[name] && looksLikePackage(name) {
			t.Errorf("docs/ARCHITECTURE.md maps %s, which is no package", name)
		}
	}
}

// looksLikePackage tells a package path in the map from other back-quoted
// table cells (file names, commands).
func looksLikePackage(s string) bool {
	for _, top := range []string{"internal", "plugin", "viewer", "cmd", "bench", "dist"} {
		if under(s, top) {
			return !strings.ContainsAny(s, ". ")
		}
	}
	return false
}
