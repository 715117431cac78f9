package pluginconf

import (
	"strings"
	"testing"
	"time"

	cdconfig "collectd.org/config"
)

// TestPasswordNeverInErrors: a password given in the wrong form (unquoted,
// so collectd's parser made a number or a boolean of it) or carried in a
// URL that is refused never appears in the error, which still names the
// instance and the option.
func TestPasswordNeverInErrors(t *testing.T) {
	web := opt("URL", "http://127.0.0.1/RPC2")
	tests := []struct {
		name   string
		opts   []cdconfig.Block
		secret string
		want   []string
	}{
		{"unquoted numeric Password", []cdconfig.Block{web, opt("Username", "rt"), opt("Password", 12345678)}, "12345678", []string{"option Password", "want a quoted string, got a number"}},
		{"unquoted float Password", []cdconfig.Block{web, opt("Password", 3.14159265)}, "3.14159265", []string{"option Password", "got a number"}},
		{"unquoted boolean Password", []cdconfig.Block{web, opt("Password", true)}, "true", []string{"option Password", "got a boolean"}},
		{"Password as a block", []cdconfig.Block{web, {Key: "Password", Values: cdconfig.Values("hunter2x"), Children: []cdconfig.Block{opt("x", 1)}}}, "hunter2x", []string{"option Password", "exactly one value"}},
		{"Password twice", []cdconfig.Block{web, opt("Password", "hunter2x"), opt("Password", "hunter2y")}, "hunter2", []string{"option Password given twice"}},
		{"bad escape in URL password", []cdconfig.Block{opt("URL", "http://admin:s3cr3t%zzPW@127.0.0.1/RPC2")}, "s3cr3t", []string{"option URL", "admin:xxxxx@127.0.0.1"}},
		{"URL password read as port", []cdconfig.Block{opt("URL", "http://admin:s3cr3t/x@127.0.0.1/RPC2")}, "s3cr3t", []string{"option URL", "admin:xxxxx@"}},
		{"URL without scheme", []cdconfig.Block{opt("URL", "admin:s3cr3t@127.0.0.1/RPC2")}, "s3cr3t", []string{"option URL", "admin:xxxxx@"}},
		{"URL password on scgi", []cdconfig.Block{opt("URL", "scgi://admin:s3cr3t@127.0.0.1:5000")}, "s3cr3t", []string{"option URL", "no authentication"}},
		{"URL password with CA file missing", []cdconfig.Block{opt("URL", "https://admin:s3cr3t@127.0.0.1/RPC2"), opt("CAFile", "/nonexistent.pem")}, "s3cr3t", []string{"CA file", "no such file"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := Parse(plugin(instance("bad", tt.opts...)), 10*time.Second)
			if len(res.Errors) != 1 || len(res.Instances) != 0 {
				t.Fatalf("errors %q, instances %d; want one error", res.Errors, len(res.Instances))
			}
			msg := res.Errors[0].Error()
			if strings.Contains(msg, tt.secret) {
				t.Errorf("error shows the password %q: %s", tt.secret, msg)
			}
			for _, w := range append([]string{`instance "bad"`}, tt.want...) {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q lacks %q", msg, w)
				}
			}
		})
	}
}
