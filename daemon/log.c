/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-journal.h>
#include <time.h>

#include "log.h"

/* The log target is process-wide by nature (like syslog(3) itself). */
static struct {
        bool foreground;
        bool journal;
        int max_level;
} log_state = { .foreground = true, .max_level = LOG_INFO };

void log_setup(bool foreground, int max_level) {
        log_state.foreground = foreground;
        log_state.max_level = max_level;
        log_state.journal = !foreground && getenv("JOURNAL_STREAM");
        if (!foreground && !log_state.journal)
                openlog("vendorwatchd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void log_set_max_level(int level) {
        log_state.max_level = level;
}

int log_get_max_level(void) {
        return log_state.max_level;
}

int log_internal(int level, int error, const char *fmt, ...) {
        char buf[2048];
        va_list ap;
        int saved = errno;

        error = abs(error);
        errno = error;
        va_start(ap, fmt);
        vsnprintf(buf, sizeof buf, fmt, ap);
        va_end(ap);

        if (log_state.foreground) {
                static const char *const prefix[] = { "", "", "", "error: ", "warning: ", "", "", "debug: " };
                fprintf(stderr, "%s%s\n", level >= 0 && level < 8 ? prefix[level] : "", buf);
        } else if (log_state.journal)
                sd_journal_print(level, "%s", buf);
        else
                syslog(level, "%s", buf);
        errno = saved;
        return -error;
}
