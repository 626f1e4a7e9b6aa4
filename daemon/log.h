/* SPDX-License-Identifier: MIT */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <syslog.h>

/* Diagnostics (not alerts): stderr in the foreground, the journal/syslog
 * otherwise.  Alerts have their own channel (alerts.c). */
void log_setup(bool foreground, int max_level);
void log_set_max_level(int level);
int log_get_max_level(void);
int log_internal(int level, int error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#define log_full_errno(level, error, ...) \
        ({ int _e = (error); log_get_max_level() >= (level) ? log_internal((level), _e, __VA_ARGS__) : -abs(_e); })

#define log_debug(...)   log_full_errno(LOG_DEBUG, 0, __VA_ARGS__)
#define log_info(...)    log_full_errno(LOG_INFO, 0, __VA_ARGS__)
#define log_notice(...)  log_full_errno(LOG_NOTICE, 0, __VA_ARGS__)
#define log_warning(...) log_full_errno(LOG_WARNING, 0, __VA_ARGS__)
#define log_error(...)   log_full_errno(LOG_ERR, 0, __VA_ARGS__)

/* Log with errno set to -r (so %m works) and return r (negative). */
#define log_debug_errno(r, ...)   log_full_errno(LOG_DEBUG, (r), __VA_ARGS__)
#define log_warning_errno(r, ...) log_full_errno(LOG_WARNING, (r), __VA_ARGS__)
#define log_error_errno(r, ...)   log_full_errno(LOG_ERR, (r), __VA_ARGS__)
