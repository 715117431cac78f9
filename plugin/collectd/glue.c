/* The C half of package collectd: calls into the collectd process,
 * found with dlsym (see doc.go), and accessors for C unions cgo cannot
 * read. Prototypes in glue.h. */

#include <dlfcn.h>
#include <stdint.h>
#include <stdlib.h>

#include "glue.h"

/* The Go callbacks of export.go. */
extern int rtmonConfig(oconfig_item_t *ci);
extern int rtmonInit(void);
extern int rtmonRead(user_data_t *ud);
extern int rtmonShutdown(void);

/* A symbol of the collectd process this library is loaded into, or
 * NULL outside collectd. */
static void *rtmon_sym(const char *name) {
  void *self = dlopen(NULL, RTLD_LAZY);
  if (self == NULL) return NULL;
  void *sym = dlsym(self, name);
  dlclose(self);
  return sym;
}

int rtmon_log(int level, const char *msg) {
  void (*log)(int, const char *, ...) = rtmon_sym("plugin_log");
  if (log == NULL) return -1;
  log(level, "%s", msg);
  return 0;
}

/* A config callback written in C: it never enters Go, so it is safe in
 * a process that is about to fork. */
static int rtmon_ignore_config(oconfig_item_t *ci) { (void)ci; return 0; }

int rtmon_register_config(const char *name, int ignore) {
  int (*reg)(const char *, int (*)(oconfig_item_t *)) =
      rtmon_sym("plugin_register_complex_config");
  if (reg == NULL) return -1;
  return reg(name, ignore ? rtmon_ignore_config : rtmonConfig);
}

int rtmon_register_init(const char *name) {
  int (*reg)(const char *, plugin_init_cb) = rtmon_sym("plugin_register_init");
  if (reg == NULL) return -1;
  return reg(name, rtmonInit);
}

int rtmon_register_shutdown(const char *name) {
  int (*reg)(const char *, plugin_shutdown_cb) = rtmon_sym("plugin_register_shutdown");
  if (reg == NULL) return -1;
  return reg(name, rtmonShutdown);
}

/* The Go reader comes back as the callback's user data: a cgo.Handle,
 * an integer, so collectd has nothing to free. collectd copies ud. */
int rtmon_register_read(const char *name, cdtime_t interval, uintptr_t handle) {
  int (*reg)(const char *, const char *, plugin_read_cb, cdtime_t, user_data_t *) =
      rtmon_sym("plugin_register_complex_read");
  if (reg == NULL) return -1;
  user_data_t ud = {.data = (void *)handle, .free_func = NULL};
  return reg(NULL, name, rtmonRead, interval, &ud);
}

uintptr_t rtmon_handle(user_data_t *ud) {
  return ud == NULL ? 0 : (uintptr_t)ud->data;
}

int rtmon_dispatch(const value_list_t *vl) {
  int (*dispatch)(const value_list_t *) = rtmon_sym("plugin_dispatch_values");
  if (dispatch == NULL) return -1;
  return dispatch(vl);
}

/* value_t is a union, which cgo shows as bytes. */
void rtmon_set_counter(value_t *v, counter_t c) { v->counter = c; }
void rtmon_set_derive(value_t *v, derive_t d) { v->derive = d; }
void rtmon_set_gauge(value_t *v, gauge_t g) { v->gauge = g; }

/* plugin_get_interval: valid inside a read callback; elsewhere collectd
 * logs an error and returns its default. */
cdtime_t rtmon_get_interval(void) {
  cdtime_t (*get)(void) = rtmon_sym("plugin_get_interval");
  return get == NULL ? 0 : get();
}

/* The interval that applies to this plugin while collectd reads its
 * configuration and runs init callbacks: the Interval of its
 * <LoadPlugin> block if set, else the global one. Unlike
 * plugin_get_interval(), it logs no error there. */
cdtime_t rtmon_config_interval(void) {
  plugin_ctx_t (*get_ctx)(void) = rtmon_sym("plugin_get_ctx");
  cdtime_t (*get_default)(void) = rtmon_sym("cf_get_default_interval");
  if (get_ctx != NULL) {
    plugin_ctx_t ctx = get_ctx();
    if (ctx.interval > 0) return ctx.interval;
  }
  return get_default != NULL ? get_default() : 0;
}

/* collectd's global Timeout: how many intervals a value stays valid. */
int rtmon_timeout(void) {
  int *t = rtmon_sym("timeout_g");
  return (t == NULL || *t <= 0) ? 2 : *t;
}

/* The union members of oconfig_value_t, for Go. */
int rtmon_value_type(const oconfig_value_t *v) { return v->type; }
const char *rtmon_value_string(const oconfig_value_t *v) { return v->value.string; }
double rtmon_value_number(const oconfig_value_t *v) { return v->value.number; }
int rtmon_value_boolean(const oconfig_value_t *v) { return v->value.boolean; }

/* plugin_dispatch_notification leaves the host and the time to the
 * caller (collectd's threshold plugin copies them from the value list):
 * fill them as plugin_dispatch_values would, from hostname_g and now. */
int rtmon_notify(notification_t *n) {
  int (*dispatch)(const notification_t *) = rtmon_sym("plugin_dispatch_notification");
  if (dispatch == NULL) return -1;
  if (n->host[0] == '\0') {
    char **host = rtmon_sym("hostname_g");
    if (host != NULL && *host != NULL) {
      size_t i = 0;
      for (; i + 1 < sizeof(n->host) && (*host)[i] != '\0'; i++) n->host[i] = (*host)[i];
      n->host[i] = '\0';
    }
  }
  if (n->time == 0) {
    cdtime_t (*now)(void) = rtmon_sym("cdtime");
    if (now != NULL) n->time = now();
  }
  return dispatch(n);
}
