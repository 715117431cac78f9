package traffic

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/rtmon/rtmon/viewer/datadir"
	"github.com/rtmon/rtmon/viewer/graphs"
)

// BenchmarkBuild sums 16 volume files with 400 days of data in collectd's
// archive layout over the five periods and a 20-day range: the cost of
// one /json/traffic request for 16 trackers and labels (librrd under the
// render slot; the index is built beforehand, as the viewer's Store
// keeps it).
func BenchmarkBuild(b *testing.B) {
	dir := b.TempDir()
	end := testNow.Unix()
	start := end - 400*86400
	for i := 0; i < 16; i++ {
		volumeFile(b, dir, "box", "main", fmt.Sprintf("label_l%02d", i), i, start, end)
	}
	ix, err := datadir.Build(dir)
	if err != nil {
		b.Fatal(err)
	}
	r := graphs.NewRenderer(nil, 1, 0, nil)
	req := Request{Loc: time.UTC, Range: &Period{Name: "range", From: end - 20*86400, To: end}}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Build(context.Background(), ix, req, testNow, r); err != nil {
			b.Fatal(err)
		}
	}
}
