// readlock.c: librrd's read lock, without making collectd lose writes.
//
// librrd opens a file for reading with a non-blocking fcntl read lock on
// the whole file (rrd_open's rrd_rwlock: F_SETLK, F_RDLCK), held until it
// closes the file. collectd's rrdtool plugin asks for its write lock the
// same way, without waiting, and when a reader holds the file it logs
// "could not lock RRD" and drops that update: a graph render coinciding
// with collectd's write of one of its files lost a value for good.
//
// This fcntl, and fcntl64 with the same logic (a librrd built with 64-bit
// file offsets calls that one; Debian's 1.7.2 calls fcntl), defined in the
// executable and so found before libc's by the dynamic linker, handle
// librrd's read-lock request alone (the caller's address is in librrd):
// it asks the kernel whether a writer holds the
// file (F_GETLK) and, if one does, fails as librrd's own request would
// (EAGAIN, which viewer/rrd's retries wait out); if none does, it reports
// success without taking the lock. A writer arriving after that check is
// never refused, and the reader may see a row of an update in progress in
// one render (collectd rewrites a few aligned 8-byte words in place; the
// file's structure never changes, and viewer/datadir refuses the data
// source types whose header librrd interprets beyond that: COMPUTE's RPN
// program, DCOUNTER and DDERIVE), which is the price of never losing an
// update. Every other call goes to libc's fcntl unchanged.
// RTMON_RRD_READ_LOCK=1 in the viewer's environment keeps librrd's lock.
//
// Whether librrd's request reaches this code at all is checked once at
// start (readlock.Check, logged by the viewer): a librrd calling some
// other entry point would silently bring the lost updates back.
//
// These definitions live in package viewer/rrd/readlock, which only the
// viewer's executable (and this package's tests) imports: any other
// program linking viewer/rrd keeps libc's fcntl.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static int (*real_fcntl)(int, int, ...);
static int (*real_fcntl64)(int, int, ...);
static pthread_once_t resolved = PTHREAD_ONCE_INIT;

// rtmon_rrd_read_lock is set by RTMON_RRD_READ_LOCK=1, and by tests.
int rtmon_rrd_read_lock = 0;

// Test switches: rtmon_read_lock_bypass forwards every call untouched and
// uncounted, as if librrd's request went to an entry point not overridden
// here; rtmon_read_lock_any_caller treats every caller as librrd, so a
// test can send a request from its own C code.
int rtmon_read_lock_bypass = 0;
int rtmon_read_lock_any_caller = 0;

// The counts tests and the start-up check read: librrd's read-lock
// requests that reached this code (whatever was done with them), read
// locks not taken, refused because a writer held the file, and requests
// per entry point (index 0 fcntl, 1 fcntl64) from any caller.
unsigned long rtmon_read_lock_seen = 0;
unsigned long rtmon_read_lock_skipped = 0;
unsigned long rtmon_read_lock_refused = 0;
unsigned long rtmon_read_lock_entry[2] = {0, 0};

static void resolve(void) {
	real_fcntl = (int (*)(int, int, ...))dlsym(RTLD_NEXT, "fcntl");
	real_fcntl64 = (int (*)(int, int, ...))dlsym(RTLD_NEXT, "fcntl64");
	if (real_fcntl64 == NULL) {
		real_fcntl64 = real_fcntl; // a libc without fcntl64: same call
	}
	const char *env = getenv("RTMON_RRD_READ_LOCK");
	if (env != NULL && strcmp(env, "1") == 0) {
		rtmon_rrd_read_lock = 1;
	}
}

// rtmon_read_lock_init reads the environment now, so a test's
// setReadLock is not undone by the first fcntl call.
void rtmon_read_lock_init(void) { pthread_once(&resolved, resolve); }

// fromLibrrd reports whether the code at addr belongs to librrd.
static int fromLibrrd(void *addr) {
	if (__atomic_load_n(&rtmon_read_lock_any_caller, __ATOMIC_RELAXED)) {
		return 1;
	}
	Dl_info info;
	return dladdr(addr, &info) != 0 && info.dli_fname != NULL && strstr(info.dli_fname, "/librrd.so") != NULL;
}

// readLock is fcntl and fcntl64 alike: entry says which was called, real
// is libc's function of that name, caller the calling code's address.
static int readLock(int entry, int (*real)(int, int, ...), void *caller, int fd, int cmd, void *arg) {
	if (real == NULL) {
		errno = ENOSYS;
		return -1;
	}
	if (cmd != F_SETLK || arg == NULL || ((struct flock *)arg)->l_type != F_RDLCK ||
	    __atomic_load_n(&rtmon_read_lock_bypass, __ATOMIC_RELAXED)) {
		return real(fd, cmd, arg);
	}
	__atomic_add_fetch(&rtmon_read_lock_entry[entry], 1, __ATOMIC_RELAXED);
	if (!fromLibrrd(caller)) {
		return real(fd, cmd, arg);
	}
	__atomic_add_fetch(&rtmon_read_lock_seen, 1, __ATOMIC_RELAXED);
	if (__atomic_load_n(&rtmon_rrd_read_lock, __ATOMIC_RELAXED)) {
		return real(fd, cmd, arg);
	}
	struct flock probe = *(struct flock *)arg;
	if (real(fd, F_GETLK, &probe) != 0) {
		return -1;
	}
	if (probe.l_type != F_UNLCK) {
		__atomic_add_fetch(&rtmon_read_lock_refused, 1, __ATOMIC_RELAXED);
		errno = EAGAIN;
		return -1;
	}
	__atomic_add_fetch(&rtmon_read_lock_skipped, 1, __ATOMIC_RELAXED);
	return 0;
}

// Every fcntl command takes at most one argument, an int or a pointer;
// glibc reads it the same way.
int fcntl(int fd, int cmd, ...) {
	va_list ap;
	va_start(ap, cmd);
	void *arg = va_arg(ap, void *);
	va_end(ap);
	pthread_once(&resolved, resolve);
	return readLock(0, real_fcntl, __builtin_return_address(0), fd, cmd, arg);
}

int fcntl64(int fd, int cmd, ...) {
	va_list ap;
	va_start(ap, cmd);
	void *arg = va_arg(ap, void *);
	va_end(ap);
	pthread_once(&resolved, resolve);
	return readLock(1, real_fcntl64, __builtin_return_address(0), fd, cmd, arg);
}
