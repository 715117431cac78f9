package web

import (
	"io/fs"
)

func readFS(f fs.FS, name string) ([]byte, error) { return fs.ReadFile(f, name) }
