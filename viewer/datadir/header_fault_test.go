package datadir

import (
	"encoding/binary"
	"errors"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/rtmon/rtmon/internal/testenv"
)

// makeRRD creates a collectd-like RRD file with the rrdtool command: two
// data sources, two archives.
func makeRRD(t *testing.T, path string) []byte {
	t.Helper()
	testenv.Need(t, "rrdtool")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("rrdtool", "create", path, "--step", "10", "--start", "1700000000",
		"DS:value:GAUGE:20:U:U", "DS:rx:DERIVE:20:0:U", "RRA:AVERAGE:0.5:1:100", "RRA:MAX:0.5:6:50").CombinedOutput()
	if err != nil {
		t.Fatalf("rrdtool create: %v: %s", err, out)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestVerifyRefusesDamagedRRD: the damage a crash, a full disk or a bad
// disk leaves in a file is refused by Verify with the file's name and what
// is wrong, before librrd sees it; an intact file passes.
func TestVerifyRefusesDamagedRRD(t *testing.T) {
	root := t.TempDir()
	path := filepath.Join(root, "h", "p", "t.rrd")
	good := makeRRD(t, path)
	f := &File{path: path}
	if err := f.Verify(root); err != nil {
		t.Fatalf("an intact file: %v", err)
	}
	put := func(b []byte, off int, v uint64) []byte {
		c := append([]byte(nil), b...)
		binary.NativeEndian.PutUint64(c[off:], v)
		return c
	}
	// Offsets in librrd's layout: step at 40; the first archive's
	// definition at 128+2*120, rows at +24 and steps per row at +32; the
	// archive pointers at the end of the header.
	const rra0 = 128 + 2*120
	const ptr0 = rra0 + 2*120 + 16 + 2*112 + 4*80
	for _, tc := range []struct {
		name, want string
		data       []byte
	}{
		{"empty", "shorter than an RRD header", nil},
		{"truncated in the header", "shorter than an RRD header", good[:100]},
		{"truncated after the header", "its header alone needs", good[:600]},
		{"truncated in the data", "its archives need", good[:len(good)/2]},
		{"not an RRD file", "no RRD signature", []byte(strings.Repeat("garbage ", 400))},
		{"float cookie", "float cookie", put(good, 16, 42)},
		{"absurd step", "step", put(good, 40, 1<<62)},
		{"absurd steps per row", "consolidates", put(good, rra0+32, 1<<60)},
		{"no rows", "has 0 rows", put(good, rra0+24, 0)},
		{"current row past the end", "current row", put(good, ptr0, 1000)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := os.WriteFile(path, tc.data, 0o644); err != nil {
				t.Fatal(err)
			}
			err := f.Verify(root)
			if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("Verify = %v, want one line naming %s and saying %q", err, path, tc.want)
			}
		})
	}
	// The offsets above are right: the intact values read back.
	if err := os.WriteFile(path, put(good, ptr0, binary.NativeEndian.Uint64(good[ptr0:])), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := f.Verify(root); err != nil {
		t.Fatalf("the intact file rewritten: %v", err)
	}
}

// TestVerifyKeepsLibrrdAlive: bytes of a real RRD file overwritten at
// random (a fixed seed, so a failure repeats). Every damaged file that
// Verify lets through is then read by the rrdtool command, which runs the
// same librrd the viewer links: none of them may crash it. Without the
// header check, some of these files make librrd abort or die of SIGBUS in
// fetch and graph, and with it the viewer.
func TestVerifyKeepsLibrrdAlive(t *testing.T) {
	testenv.Need(t, "rrdtool")
	root := t.TempDir()
	path := filepath.Join(root, "h", "p", "t.rrd")
	good := makeRRD(t, path)
	f := &File{path: path}
	rng := rand.New(rand.NewSource(7))
	const tries = 200
	refused := 0
	for i := 0; i < tries; i++ {
		b := append([]byte(nil), good...)
		// Damage the header, where librrd's trust lies: up to 3 runs of
		// 1-8 random bytes in the first 1200 bytes.
		for k := 0; k <= rng.Intn(3); k++ {
			off := rng.Intn(1200)
			for j := 0; j <= rng.Intn(8) && off+j < len(b); j++ {
				b[off+j] = byte(rng.Intn(256))
			}
		}
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		if f.Verify(root) != nil {
			refused++
			continue
		}
		for _, args := range [][]string{
			{"fetch", path, "AVERAGE", "-s", "1699999000", "-e", "1700001000"},
			{"graph", "/dev/null", "-s", "1699999000", "-e", "1700001000", "DEF:v=" + path + ":value:AVERAGE", "LINE1:v#000000"},
		} {
			out, err := exec.Command("rrdtool", args...).CombinedOutput()
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
					keep := filepath.Join(t.TempDir(), "crash-"+strconv.Itoa(i)+".rrd")
					os.WriteFile(keep, b, 0o644)
					t.Fatalf("try %d: Verify let through a file that kills librrd (rrdtool %s: %v: %s)", i, args[0], ws.Signal(), out)
				}
			}
		}
	}
	t.Logf("%d of %d damaged files refused; librrd survived the rest", refused, tries)
	if refused == 0 || refused == tries {
		t.Fatalf("%d of %d refused: the damage is not what this test means to try", refused, tries)
	}
}
