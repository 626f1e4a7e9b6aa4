/* SPDX-License-Identifier: MIT */
/*
 * jsonl: observations as JSON lines from a file or a FIFO.
 *
 * Imports inventories exported by other tools, and feeds tests.  A regular
 * file is read to its end (then the source is done); a FIFO is held open
 * for reading and writing, so writers may come and go without an EOF.
 * A malformed line is logged with its number, counted and skipped.
 *
 *   plugins = ( { name = "jsonl"; path = "feed.jsonl"; max_line = 65536; } );
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <systemd/sd-event.h>
#include <unistd.h>

#include "vendorwatch/plugin.h"

#define EXPORT __attribute__((visibility("default")))
#define CHUNK 65536

struct jsonl {
        const struct vw_host *host;
        struct vw_plugin_ctx *ctx;
        char *path;
        int fd;
        bool fifo;
        sd_event_source *source;
        char *buf;
        size_t len, cap, max_line;
        bool skipping;                  /* inside an over-long line */
        uint64_t line_no, accepted, malformed, too_long;
};

static void jsonl_stop(void *state) {
        struct jsonl *j = state;
        if (!j)
                return;
        sd_event_source_disable_unref(j->source);
        if (j->fd >= 0)
                close(j->fd);
        free(j->path);
        free(j->buf);
        free(j);
}

static void handle_line(struct jsonl *j, const char *line, size_t len) {
        char *error = NULL;
        j->line_no++;
        while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' ' || line[len - 1] == '\t'))
                len--;
        if (len == 0)
                return;
        if (j->host->ops->observe_json(j->ctx, line, len, &error) < 0) {
                j->malformed++;
                j->host->ops->log(j->ctx, VW_LOG_WARNING, "%s:%" PRIu64 ": %s (line skipped)", j->path, j->line_no,
                                  error ? error : "malformed observation");
        } else
                j->accepted++;
        free(error);
}

/* Split the buffer into lines; keep a partial tail for the next read. */
static void consume(struct jsonl *j, bool eof) {
        size_t off = 0;
        for (;;) {
                char *nl = memchr(j->buf + off, '\n', j->len - off);
                if (!nl)
                        break;
                size_t n = (size_t) (nl - (j->buf + off));
                if (j->skipping) {
                        j->skipping = false;
                        j->line_no++;
                } else
                        handle_line(j, j->buf + off, n);
                off += n + 1;
        }
        memmove(j->buf, j->buf + off, j->len - off);
        j->len -= off;
        if (j->len > j->max_line) {
                if (!j->skipping) {
                        j->too_long++;
                        j->malformed++;
                        j->host->ops->log(j->ctx, VW_LOG_WARNING, "%s:%" PRIu64 ": line longer than %zu bytes (skipped)",
                                          j->path, j->line_no + 1, j->max_line);
                }
                j->skipping = true;
                j->len = 0;
        }
        if (eof && j->len > 0) {
                if (!j->skipping)
                        handle_line(j, j->buf, j->len);
                j->len = 0;
        }
}

/* Returns 1 while there is more, 0 at EOF, -errno on error. */
static int read_some(struct jsonl *j) {
        if (j->cap - j->len < CHUNK) {
                char *b = realloc(j->buf, j->len + CHUNK);
                if (!b)
                        return -ENOMEM;
                j->buf = b;
                j->cap = j->len + CHUNK;
        }
        ssize_t n = read(j->fd, j->buf + j->len, CHUNK);
        if (n < 0)
                return errno == EAGAIN || errno == EINTR ? 1 : -errno;
        if (n == 0) {
                consume(j, true);
                return 0;
        }
        j->len += (size_t) n;
        consume(j, false);
        return 1;
}

static int on_fifo(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        struct jsonl *j = userdata;
        int r = read_some(j);
        if (r < 0)
                j->host->ops->log(j->ctx, VW_LOG_ERR, "%s: read failed: %s", j->path, strerror(-r));
        return 0;
}

/* A regular file cannot be polled: read it a chunk per loop iteration so
 * a large import never stalls the loop. */
static int on_file(sd_event_source *s, void *userdata) {
        struct jsonl *j = userdata;
        int r = read_some(j);
        if (r <= 0) {
                if (r < 0)
                        j->host->ops->log(j->ctx, VW_LOG_ERR, "%s: read failed: %s", j->path, strerror(-r));
                j->host->ops->log(j->ctx, VW_LOG_INFO, "%s: %" PRIu64 " observations imported, %" PRIu64 " malformed lines",
                                  j->path, j->accepted, j->malformed);
                sd_event_source_set_enabled(s, SD_EVENT_OFF);
                j->host->ops->done(j->ctx);
        }
        return 0;
}

static int jsonl_start(const struct vw_host *host, struct vw_plugin_ctx *ctx, bool check_only, void **ret_state) {
        const struct vw_host_ops *ops = host->ops;
        struct jsonl *j = calloc(1, sizeof(*j));
        const char *path;
        int64_t max_line = 1 << 20;
        int r;

        if (!j)
                return -ENOMEM;
        j->host = host;
        j->ctx = ctx;
        j->fd = -EBADF;
        *ret_state = j;

        r = ops->cfg_string(ctx, "path", &path);
        if (r == -ENOENT)
                return ops->cfg_error(ctx, NULL, "jsonl: \"path\" is required (a file or FIFO of JSON lines)");
        if (r < 0)
                return r;
        r = ops->cfg_int(ctx, "max_line", 256, 16 << 20, &max_line);
        if (r < 0 && r != -ENOENT)
                return r;
        j->max_line = (size_t) max_line;
        j->path = ops->cfg_path(ctx, path);
        if (!j->path)
                return -ENOMEM;
        if (check_only)
                return 0;

        struct stat st;
        if (stat(j->path, &st) < 0) {
                r = -errno;
                ops->log(ctx, VW_LOG_ERR, "%s: %s", j->path, strerror(errno));
                return r;
        }
        j->fifo = S_ISFIFO(st.st_mode);
        /* O_RDWR on a FIFO: we count as a writer, so writers leaving is no EOF. */
        j->fd = open(j->path, (j->fifo ? O_RDWR : O_RDONLY) | O_NONBLOCK | O_CLOEXEC);
        if (j->fd < 0) {
                r = -errno;
                ops->log(ctx, VW_LOG_ERR, "%s: %s", j->path, strerror(errno));
                return r;
        }
        if (j->fifo)
                r = sd_event_add_io(host->event, &j->source, j->fd, EPOLLIN, on_fifo, j);
        else {
                r = sd_event_add_defer(host->event, &j->source, on_file, j);
                if (r >= 0)
                        r = sd_event_source_set_enabled(j->source, SD_EVENT_ON);
        }
        if (r < 0)
                return r;
        return 0;
}

static char *jsonl_status(void *state) {
        struct jsonl *j = state;
        char *s = NULL;
        if (asprintf(&s, "{\"path\":\"%s\",\"fifo\":%s,\"lines\":%" PRIu64 ",\"accepted\":%" PRIu64
                         ",\"malformed\":%" PRIu64 ",\"too_long\":%" PRIu64 "}",
                     "(see config)", j->fifo ? "true" : "false", j->line_no, j->accepted, j->malformed, j->too_long) < 0)
                return NULL;
        return s;
}

EXPORT const struct vw_plugin vw_plugin = {
        .abi_version = VW_PLUGIN_ABI_VERSION,
        .name = "jsonl",
        .description = "observations as JSON lines from a file or FIFO",
        .start = jsonl_start,
        .stop = jsonl_stop,
        .status = jsonl_status,
};
