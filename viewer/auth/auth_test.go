package auth

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

func write(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "htpasswd")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCheck(t *testing.T) {
	h, _ := bcrypt.GenerateFromPassword([]byte("s3cret"), bcrypt.MinCost)
	// $2y$ is what Apache's htpasswd -B writes.
	y := "$2y$" + string(h[4:])
	u, err := Load(write(t, "# users\nalice:"+string(h)+"\nbob:"+y+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		user, pass string
		want       bool
	}{
		{"alice", "s3cret", true},
		{"alice", "s3cret", true}, // from the cache
		{"bob", "s3cret", true},
		{"alice", "wrong", false},
		{"alice", "", false},
		{"carol", "s3cret", false},
		{"", "", false},
		{"alice\x00", "s3cret", false},
	} {
		if got := u.Check(tc.user, tc.pass); got != tc.want {
			t.Errorf("Check(%q, %q) = %v, want %v", tc.user, tc.pass, got, tc.want)
		}
	}
}

func TestLoadRefuses(t *testing.T) {
	for content, want := range map[string]string{
		"alice:$apr1$abc$defghijklmnop\n":           "not a bcrypt hash",
		"alice:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=\n": "not a bcrypt hash",
		"alice:plain\n":      "not a bcrypt hash",
		"nocolon\n":          "want user:hash",
		"# only a comment\n": "no users",
	} {
		_, err := Load(write(t, content))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Load(%q) = %v, want %q", content, err, want)
		}
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("missing file accepted")
	}
}

// TestEveryRefusalCostsABcrypt: an unknown user, an empty one and a wrong
// password each cost exactly one bcrypt comparison at the entries' cost,
// so the time of a refusal does not tell whether the user exists; a
// refusal is never cached. (A timing test would be flaky on a loaded
// machine; counting the comparisons checks the code path instead.)
func TestEveryRefusalCostsABcrypt(t *testing.T) {
	const cost = bcrypt.MinCost + 1
	h, _ := bcrypt.GenerateFromPassword([]byte("s3cret"), cost)
	var costs []int
	u, err := LoadLimits(write(t, "alice:"+string(h)+"\n"), Limits{Compare: func(hash, pw []byte) error {
		c, err := bcrypt.Cost(hash)
		if err != nil {
			t.Errorf("compared against a non-bcrypt hash %q", hash)
		}
		costs = append(costs, c)
		return bcrypt.CompareHashAndPassword(hash, pw)
	}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ user, pass string }{
		{"alice", "wrong"}, {"alice", "wrong"}, {"mallory", "s3cret"}, {"mallory", "s3cret"}, {"", ""},
		{strings.Repeat("x", 10000), "s3cret"}, {"Alice", "s3cret"}, {"alice ", "s3cret"},
	} {
		costs = nil
		if u.Check(tc.user, tc.pass) {
			t.Fatalf("Check(%.20q, %q) accepted", tc.user, tc.pass)
		}
		if len(costs) != 1 || costs[0] != cost {
			t.Errorf("Check(%.20q, %q): bcrypt comparisons at costs %v, want exactly one at cost %d", tc.user, tc.pass, costs, cost)
		}
	}
	// A good login is cached; a wrong password after it still pays.
	if !u.Check("alice", "s3cret") {
		t.Fatal("right password refused")
	}
	costs = nil
	if u.Check("alice", "s3cret-not") || len(costs) != 1 {
		t.Errorf("wrong password after a good login: %d comparisons, want 1", len(costs))
	}
}

// TestDummyCostsTheDearestEntry: with entries of mixed costs the dummy
// hash is as dear as the dearest, so no unknown user is refused faster
// than a known one.
func TestDummyCostsTheDearestEntry(t *testing.T) {
	lo, _ := bcrypt.GenerateFromPassword([]byte("a"), bcrypt.MinCost)
	hi, _ := bcrypt.GenerateFromPassword([]byte("b"), bcrypt.MinCost+2)
	for _, order := range []string{"a:" + string(lo) + "\nb:" + string(hi) + "\n", "b:" + string(hi) + "\na:" + string(lo) + "\n"} {
		u, err := Load(write(t, order))
		if err != nil {
			t.Fatal(err)
		}
		if c, _ := bcrypt.Cost(u.dummy); c != bcrypt.MinCost+2 {
			t.Errorf("dummy cost %d, want %d", c, bcrypt.MinCost+2)
		}
	}
}
