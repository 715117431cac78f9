package dist

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"
)

// prctl(2) PR_SET_MDWE and its flag (Linux 6.3, include/uapi/linux/prctl.h).
const (
	prSetMDWE            = 65
	prMDWERefuseExecGain = 1
	mdweHelperEnv        = "RTMON_DIST_MDWE_EXEC"
	mdweSelfTest         = "-mdwe-selftest" // instead of a command: check the refusal
)

// helperMain: when the test binary is started with RTMON_DIST_MDWE_EXEC
// set, it is a small launcher, not a test run: it refuses writable and
// executable memory to itself and everything it execs from then on
// (prctl PR_SET_MDWE, inherited across execve, which is the kernel's own
// form of systemd's MemoryDenyWriteExecute=), then execs its arguments.
// It reports true only if it must return without running the tests, which
// it never does: it execs or exits.
func helperMain() bool {
	if os.Getenv(mdweHelperEnv) == "" {
		return false
	}
	os.Unsetenv(mdweHelperEnv)
	args := os.Args[1:]
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "mdwe helper: no command")
		os.Exit(2)
	}
	if _, _, e := syscall.RawSyscall6(syscall.SYS_PRCTL, prSetMDWE, prMDWERefuseExecGain, 0, 0, 0, 0); e != 0 {
		fmt.Fprintf(os.Stderr, "mdwe helper: prctl(PR_SET_MDWE): %v\n", e)
		os.Exit(2)
	}
	if args[0] == mdweSelfTest {
		// The refusal must be real: a W+X mapping fails with EACCES.
		_, err := syscall.Mmap(-1, 0, 4096, syscall.PROT_WRITE|syscall.PROT_EXEC, syscall.MAP_ANON|syscall.MAP_PRIVATE)
		if err != syscall.EACCES {
			fmt.Fprintf(os.Stderr, "mdwe helper: a writable+executable mapping gave %v, want EACCES\n", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	path, err := exec.LookPath(args[0])
	if err != nil {
		fmt.Fprintf(os.Stderr, "mdwe helper: %v\n", err)
		os.Exit(2)
	}
	err = syscall.Exec(path, args, os.Environ())
	fmt.Fprintf(os.Stderr, "mdwe helper: exec %s: %v\n", path, err)
	os.Exit(2)
	return true
}
