// rrdcall.c: one C function per librrd entry point we use. See rrdcall.h
// for why the error is read inside the same call.
#include <stdlib.h>
#include <string.h>
#include "rrdcall.h"

// take_error copies this thread's rrd error into err (always terminated),
// clears it, and reports whether one was set.
static int take_error(char *err, size_t errlen) {
	int set = rrd_test_error();
	if (err != NULL && errlen > 0) {
		err[0] = '\0';
		if (set) {
			const char *msg = rrd_get_error();
			if (msg != NULL) {
				strncpy(err, msg, errlen - 1);
				err[errlen - 1] = '\0';
			}
		}
	}
	rrd_clear_error();
	return set;
}

void rtmon_free_strv(char **v, unsigned long n) {
	if (v == NULL) {
		return;
	}
	for (unsigned long i = 0; i < n; i++) {
		rrd_freemem(v[i]);
	}
	rrd_freemem(v);
}

rrd_info_t *rtmon_graph_v(int argc, char **argv, char *err, size_t errlen,
                          int *failed) {
	rrd_clear_error();
	rrd_info_t *info = rrd_graph_v(argc, argv);
	// The rrdtool command line treats a set error as failure even when a
	// list came back; do the same.
	*failed = take_error(err, errlen) || info == NULL;
	if (*failed && info != NULL) {
		rrd_info_free(info);
		info = NULL;
	}
	return info;
}

int rtmon_xport(int argc, char **argv, time_t *start, time_t *end,
                unsigned long *step, unsigned long *col_cnt, char ***legends,
                rrd_value_t **data, char *err, size_t errlen) {
	int xsize = 0;
	*legends = NULL;
	*data = NULL;
	*col_cnt = 0;
	rrd_clear_error();
	int rc = rrd_xport(argc, argv, &xsize, start, end, step, col_cnt,
	                   legends, data);
	int set = take_error(err, errlen);
	if (rc != 0) {
		// librrd frees its own buffers on its error paths; the
		// pointers may dangle, so leave them alone.
		*legends = NULL;
		*data = NULL;
		return -1;
	}
	if (set) {
		rtmon_free_strv(*legends, *col_cnt);
		rrd_freemem(*data);
		*legends = NULL;
		*data = NULL;
		return -1;
	}
	return 0;
}

int rtmon_fetch(const char *file, const char *cf, time_t *start, time_t *end,
                unsigned long *step, unsigned long *ds_cnt, char ***names,
                rrd_value_t **data, char *err, size_t errlen) {
	*names = NULL;
	*data = NULL;
	*ds_cnt = 0;
	rrd_clear_error();
	int rc = rrd_fetch_r(file, cf, start, end, step, ds_cnt, names, data);
	int set = take_error(err, errlen);
	if (rc != 0) {
		*names = NULL;
		*data = NULL;
		return -1;
	}
	if (set) {
		rtmon_free_strv(*names, *ds_cnt);
		rrd_freemem(*data);
		*names = NULL;
		*data = NULL;
		return -1;
	}
	return 0;
}

int rtmon_lastupdate(const char *file, time_t *last, unsigned long *ds_cnt,
                     char ***names, char ***values, char *err, size_t errlen) {
	*names = NULL;
	*values = NULL;
	*ds_cnt = 0;
	rrd_clear_error();
	int rc = rrd_lastupdate_r(file, last, ds_cnt, names, values);
	int set = take_error(err, errlen);
	if (rc != 0) {
		*names = NULL;
		*values = NULL;
		return -1;
	}
	if (set) {
		rtmon_free_strv(*names, *ds_cnt);
		rtmon_free_strv(*values, *ds_cnt);
		*names = NULL;
		*values = NULL;
		return -1;
	}
	return 0;
}

rrd_info_t *rtmon_info(const char *file, char *err, size_t errlen, int *failed) {
	rrd_clear_error();
	rrd_info_t *info = rrd_info_r(file);
	*failed = take_error(err, errlen) || info == NULL;
	if (*failed && info != NULL) {
		rrd_info_free(info);
		info = NULL;
	}
	return info;
}
