/* Prototypes of glue.c, included by every Go file of package collectd. */
#ifndef RTMON_GLUE_H
#define RTMON_GLUE_H

#include <stdint.h>

#include "plugin.h"

int rtmon_log(int level, const char *msg);
int rtmon_register_config(const char *name, int ignore);
int rtmon_register_init(const char *name);
int rtmon_register_shutdown(const char *name);
int rtmon_register_read(const char *name, cdtime_t interval, uintptr_t handle);
uintptr_t rtmon_handle(user_data_t *ud);
int rtmon_dispatch(const value_list_t *vl);
int rtmon_notify(notification_t *n);
void rtmon_set_counter(value_t *v, counter_t c);
void rtmon_set_derive(value_t *v, derive_t d);
void rtmon_set_gauge(value_t *v, gauge_t g);
cdtime_t rtmon_get_interval(void);
cdtime_t rtmon_config_interval(void);
int rtmon_timeout(void);
int rtmon_value_type(const oconfig_value_t *v);
const char *rtmon_value_string(const oconfig_value_t *v);
double rtmon_value_number(const oconfig_value_t *v);
int rtmon_value_boolean(const oconfig_value_t *v);

#endif
