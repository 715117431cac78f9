package web

import (
	"os"
	"testing"

	"github.com/rtmon/rtmon/internal/testenv/collectdenv"
)

func TestMain(m *testing.M) {
	code := m.Run()
	collectdenv.RemoveBuilt()
	os.Exit(code)
}
