// rrdcall.h declares the C side of the rtmon librrd binding.
//
// Every helper clears this thread's rrd error, makes exactly one librrd
// call and copies the error text into a caller buffer before it returns.
// Because all of that happens inside a single cgo call, the goroutine
// cannot move to another OS thread, and no other goroutine can run on this
// thread, between the call and the read of librrd's per-thread error.
#ifndef RTMON_RRDCALL_H
#define RTMON_RRDCALL_H

#include <stddef.h>
#include <time.h>
#include <rrd.h>

rrd_info_t *rtmon_graph_v(int argc, char **argv, char *err, size_t errlen,
                          int *failed);

int rtmon_xport(int argc, char **argv, time_t *start, time_t *end,
                unsigned long *step, unsigned long *col_cnt, char ***legends,
                rrd_value_t **data, char *err, size_t errlen);

int rtmon_fetch(const char *file, const char *cf, time_t *start, time_t *end,
                unsigned long *step, unsigned long *ds_cnt, char ***names,
                rrd_value_t **data, char *err, size_t errlen);

int rtmon_lastupdate(const char *file, time_t *last, unsigned long *ds_cnt,
                     char ***names, char ***values, char *err, size_t errlen);

rrd_info_t *rtmon_info(const char *file, char *err, size_t errlen, int *failed);

// rtmon_free_strv frees a librrd-allocated array of n strings and the array.
void rtmon_free_strv(char **v, unsigned long n);

#endif
