// Package layout holds no code, only the test that keeps the import rules
// of docs/ARCHITECTURE.md: which rtmon packages each folder may import, so
// that the viewer never links the plugin's rTorrent client, the plugin
// never links the viewer or the test environment, and the catalogue stays
// a leaf. The rules live here, in Go, because a rule in prose alone is
// broken by the first import nobody reviews against it.
package layout
