package live

import (
	"fmt"
	"syscall"
)

// statDisks reads the usage of each -disk-usage-path with statfs(2), as
// psutil.disk_usage does for pyrotorque: used = blocks - free blocks,
// percent = used / (used + blocks available to unprivileged users).
func statDisks(paths []string) []Disk {
	out := make([]Disk, 0, len(paths))
	for _, p := range paths {
		d := Disk{Path: p, Source: "statfs"}
		var st syscall.Statfs_t
		if err := syscall.Statfs(p, &st); err != nil {
			d.Error = fmt.Sprintf("statfs: %v", err)
			out = append(out, d)
			continue
		}
		bs := float64(st.Frsize)
		if bs == 0 {
			bs = float64(st.Bsize)
		}
		d.TotalBytes = float64(st.Blocks) * bs
		d.UsedBytes = float64(st.Blocks-st.Bfree) * bs
		d.FreeBytes = float64(st.Bavail) * bs
		if d.UsedBytes+d.FreeBytes > 0 {
			d.Percent = clampPercent(100 * d.UsedBytes / (d.UsedBytes + d.FreeBytes))
		}
		out = append(out, d)
	}
	return out
}
