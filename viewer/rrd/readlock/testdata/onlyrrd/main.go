// Command onlyrrd imports viewer/rrd and nothing of the overrides:
// TestOverrideConfined checks that its binary keeps libc's fcntl and
// cairo's PNG writer.
package main

import (
	"fmt"

	"github.com/rtmon/rtmon/viewer/rrd"
)

func main() { fmt.Println(rrd.Escape("x")) }
