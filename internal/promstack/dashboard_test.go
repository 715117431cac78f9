package promstack

import "testing"

func testDashboard(t *testing.T, s *stack) {}
