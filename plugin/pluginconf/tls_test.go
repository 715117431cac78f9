package pluginconf

import (
	"strings"
	"testing"
	"time"

	cdconfig "collectd.org/config"
)

// TestParseSkipVerifyWarning: InsecureSkipVerify on an https URL gives one
// warning naming the instance and the URL (the plugin logs Parse's
// warnings once, when collectd reads the configuration); a CAFile, the
// system's CAs or InsecureSkipVerify false give none.
func TestParseSkipVerifyWarning(t *testing.T) {
	ca := writeCA(t)
	const url = "https://seedbox.example.org/RPC2"
	for _, tc := range []struct {
		name  string
		opts  []cdconfig.Block
		warns int
	}{
		{"skip verify", []cdconfig.Block{opt("URL", url), opt("InsecureSkipVerify", true)}, 1},
		{"skip verify false", []cdconfig.Block{opt("URL", url), opt("InsecureSkipVerify", false)}, 0},
		{"CAFile", []cdconfig.Block{opt("URL", url), opt("CAFile", ca)}, 0},
		{"system CAs", []cdconfig.Block{opt("URL", url)}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := Parse(plugin(instance("box", tc.opts...)), 10*time.Second)
			if len(res.Instances) != 1 || len(res.Errors) != 0 {
				t.Fatalf("Parse = %+v", res)
			}
			if len(res.Warnings) != tc.warns {
				t.Fatalf("%d warnings %q, want %d", len(res.Warnings), res.Warnings, tc.warns)
			}
			if tc.warns == 1 {
				w := res.Warnings[0]
				for _, want := range []string{`instance "box"`, url, "InsecureSkipVerify", "not checked"} {
					if !strings.Contains(w, want) || strings.Contains(w, "\n") {
						t.Errorf("warning %q does not say %q on one line", w, want)
					}
				}
			}
		})
	}
}
