package web

import (
	"os"
	"testing"

	"github.com/rtmon/rtmon/viewer/stacktest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	stacktest.RemoveBuilt()
	os.Exit(code)
}
