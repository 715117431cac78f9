package unixsock

import (
	"bufio"
	"errors"
	"io"
	"math"
	"strings"
	"testing"
	"time"
)

func TestReadReply(t *testing.T) {
	long := strings.Repeat("x", maxLineLen+10)
	tests := []struct {
		name      string
		in        string
		wantLines []string
		wantErr   error  // checked with errors.Is, if set
		wantInErr string // fragment of the message, if set
	}{
		{name: "values", in: "3 Values found\na=1\nb=2\nc=3\n", wantLines: []string{"a=1", "b=2", "c=3"}},
		{name: "zero lines", in: "0 Done: 1 successful, 0 errors\n", wantLines: []string{}},
		{name: "crlf", in: "1 Value found\r\nvalue=1\r\n", wantLines: []string{"value=1"}},
		{name: "blank line before status (collectd 5.12 after some errors)", in: "\n1 Value found\nvalue=1\n", wantLines: []string{"value=1"}},
		{name: "negative status", in: "-1 No such value.\n", wantInErr: "-1 No such value."},
		{name: "garbage status", in: "hello world\n", wantErr: ErrProtocol, wantInErr: "malformed status"},
		{name: "plus sign", in: "+1 x\nv=1\n", wantErr: ErrProtocol},
		{name: "status overflow", in: "99999999999999999999999 x\n", wantErr: ErrProtocol},
		{name: "huge count", in: "2000000 Values found\n", wantErr: ErrProtocol, wantInErr: "more than the cap"},
		{name: "truncated", in: "3 Values found\na=1\n", wantErr: io.EOF, wantInErr: "truncated after 1 of 3"},
		{name: "line cut by EOF", in: "1 Value found\nvalue=1", wantErr: io.ErrUnexpectedEOF},
		{name: "empty stream", in: "", wantErr: io.EOF},
		{name: "only blank lines", in: strings.Repeat("\n", maxBlankLines+2), wantErr: ErrProtocol},
		{name: "line too long", in: "1 Value found\n" + long + "\n", wantErr: ErrProtocol, wantInErr: "longer than"},
		{name: "status line too long", in: long + "\n", wantErr: ErrProtocol},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := readReply(bufio.NewReader(strings.NewReader(tc.in)), "TEST")
			if tc.wantLines != nil {
				if err != nil {
					t.Fatalf("error %v, want lines %q", err, tc.wantLines)
				}
				if strings.Join(rep.lines, "|") != strings.Join(tc.wantLines, "|") || len(rep.lines) != len(tc.wantLines) {
					t.Errorf("lines %q, want %q", rep.lines, tc.wantLines)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error, want one (lines %q)", rep.lines)
			}
			if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Errorf("error %v, want errors.Is %v", err, tc.wantErr)
			}
			if tc.wantInErr != "" && !strings.Contains(err.Error(), tc.wantInErr) {
				t.Errorf("error %q, want it to contain %q", err, tc.wantInErr)
			}
		})
	}
}

func TestReadReplyServerError(t *testing.T) {
	_, err := readReply(bufio.NewReader(strings.NewReader("-1 Type `nope' is unknown.\n\n")), `GETVAL h/nope/nope`)
	var se *ServerError
	if !errors.As(err, &se) || se.Status != -1 || se.Message != "Type `nope' is unknown." || se.Command != "GETVAL h/nope/nope" {
		t.Errorf("error = %#v, want ServerError{-1, Type `nope' is unknown.}", err)
	}
}

func TestParseValueLine(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"shortterm=1.362793e+00", 1.362793, true},
		{"value=NaN", math.NaN(), true}, // what collectd 5.12 prints for unknown
		{"value=nan", math.NaN(), true},
		{"value=-inf", math.Inf(-1), true},
		{"value=", 0, false},
		{"=1", 0, false},
		{"novalue", 0, false},
		{"value=1,5", 0, false},
	}
	for _, tc := range tests {
		v, err := parseValueLine(tc.in)
		if tc.ok != (err == nil) {
			t.Errorf("parseValueLine(%q) error %v, want ok=%v", tc.in, err, tc.ok)
			continue
		}
		if tc.ok && !(v.Value == tc.want || math.IsNaN(v.Value) && math.IsNaN(tc.want)) {
			t.Errorf("parseValueLine(%q) = %v, want %v", tc.in, v.Value, tc.want)
		}
	}
}

func TestParseListLine(t *testing.T) {
	e, err := parseListLine(`1795738654.485 rtmon-test/my plugin-inst x/gauge-a "b\c`)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Unix(1795738654, 485000000); !e.Time.Equal(want) {
		t.Errorf("time %v, want %v", e.Time, want)
	}
	if want := (Identifier{"rtmon-test", "my plugin", "inst x", "gauge", `a "b\c`}); e.ID != want {
		t.Errorf("id %#v, want %#v", e.ID, want)
	}
	for _, bad := range []string{"", "1795738654.485", "abc h/p/t", "1.2.3 h/p/t", "-1 h/p/t", "1. h/p/t", "179 h/p"} {
		if _, err := parseListLine(bad); !errors.Is(err, ErrProtocol) {
			t.Errorf("parseListLine(%q) = %v, want ErrProtocol", bad, err)
		}
	}
}
