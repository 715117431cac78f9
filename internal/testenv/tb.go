package testenv

// TB is the part of testing.TB the test environment uses. Tests and benchmarks pass
// their *testing.T or *testing.B; a program that is not a test (the demo
// stack) passes its own implementation, so the same code starts the same
// real components there.
type TB interface {
	Helper()
	Logf(format string, args ...any)
	Fatalf(format string, args ...any)
	Cleanup(func())
	Failed() bool
}

var _ TB = (*Runner)(nil)
