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
