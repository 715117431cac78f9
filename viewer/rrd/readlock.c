// readlock.c: librrd's read lock, without making collectd lose writes.
//
// librrd opens a file for reading with a non-blocking fcntl read lock on
// the whole file (rrd_open's rrd_rwlock: F_SETLK, F_RDLCK), held until it
// closes the file. collectd's rrdtool plugin asks for its write lock the
// same way, without waiting, and when a reader holds the file it logs
// "could not lock RRD" and drops that update: a graph render coinciding
// with collectd's write of one of its files lost a value for good.
//
// This fcntl, defined in the executable and so found before libc's by the
// dynamic linker, handles librrd's read-lock request alone (the caller's
// address is in librrd): it asks the kernel whether a writer holds the
// file (F_GETLK) and, if one does, fails as librrd's own request would
// (EAGAIN, which rrd.retryLocked waits out); if none does, it reports
// success without taking the lock. A writer arriving after that check is
// never refused, and the reader may see a row of an update in progress in
// one render (collectd rewrites a few aligned 8-byte words in place; the
// file's structure never changes), which is the price of never losing an
// update. Every other call goes to libc's fcntl unchanged.
// RTMON_RRD_READ_LOCK=1 in the viewer's environment keeps librrd's lock.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static int (*real_fcntl)(int, int, ...);
static pthread_once_t resolved = PTHREAD_ONCE_INIT;

// rtmon_rrd_read_lock is set by RTMON_RRD_READ_LOCK=1, and by tests.
int rtmon_rrd_read_lock = 0;

// The counts tests read: read locks not taken, and refused because a
// writer held the file.
unsigned long rtmon_read_lock_skipped = 0;
unsigned long rtmon_read_lock_refused = 0;

static void resolve(void) {
	real_fcntl = (int (*)(int, int, ...))dlsym(RTLD_NEXT, "fcntl");
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
	Dl_info info;
	return dladdr(addr, &info) != 0 && info.dli_fname != NULL && strstr(info.dli_fname, "/librrd.so") != NULL;
}

int fcntl(int fd, int cmd, ...) {
	va_list ap;
	va_start(ap, cmd);
	// Every fcntl command takes at most one argument, an int or a pointer;
	// glibc reads it the same way.
	void *arg = va_arg(ap, void *);
	va_end(ap);
	pthread_once(&resolved, resolve);
	if (real_fcntl == NULL) {
		errno = ENOSYS;
		return -1;
	}
	if (cmd != F_SETLK || arg == NULL || __atomic_load_n(&rtmon_rrd_read_lock, __ATOMIC_RELAXED) ||
	    ((struct flock *)arg)->l_type != F_RDLCK || !fromLibrrd(__builtin_return_address(0))) {
		return real_fcntl(fd, cmd, arg);
	}
	struct flock probe = *(struct flock *)arg;
	if (real_fcntl(fd, F_GETLK, &probe) != 0) {
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
