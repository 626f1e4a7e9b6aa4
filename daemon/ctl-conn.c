/* SPDX-License-Identifier: MIT */
/* The client side of the control protocol (docs/protocol.md): one JSON
 * object per line each way; stream replies are read item by item so a large
 * inventory is never held in memory. */

#include <errno.h>
#include <inttypes.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "ctl.h"

/* A reply line longer than this is refused (the daemon's largest object, a
 * device with all its observations, is far smaller). */
#define CTL_LINE_MAX (16u * 1024u * 1024u)
#define CTL_PROTOCOL_VERSION 1

struct CtlConn {
        int fd;
        char *buf;                /* bytes read, not yet consumed */
        size_t start, end, size;
};

CtlConn *ctl_conn_free(CtlConn *c) {
        if (!c)
                return NULL;
        if (c->fd >= 0)
                close(c->fd);
        free(c->buf);
        free(c);
        return NULL;
}

static const char *connect_hint(int err) {
        switch (err) {
        case ENOENT:
        case ECONNREFUSED:
                return "the daemon seems to be down (is vendorwatchd running?)";
        case EACCES:
        case EPERM:
                return "permission denied (are you root or in the socket's group?)";
        default:
                return "cannot reach the daemon";
        }
}

static int ctl_connect(Ctl *c) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        _cleanup_close_ int fd = -EBADF;
        CtlConn *conn;

        if (c->conn)
                return 0;

        if (strlen(c->socket) >= sizeof(sa.sun_path)) {
                fprintf(stderr, "vendorwatchctl: cannot connect to %s: socket path too long\n", c->socket);
                c->exit_status = CTL_EXIT_CONNECT;
                return -ENAMETOOLONG;
        }
        memcpy(sa.sun_path, c->socket, strlen(c->socket) + 1);

        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
                int r = errno;
                fprintf(stderr, "vendorwatchctl: socket: %s\n", strerror(r));
                c->exit_status = CTL_EXIT_CONNECT;
                return -r;
        }
        if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
                int r = errno;
                fprintf(stderr, "vendorwatchctl: cannot connect to %s: %s: %s\n",
                        c->socket, strerror(r), connect_hint(r));
                c->exit_status = CTL_EXIT_CONNECT;
                return -r;
        }

        conn = calloc(1, sizeof(*conn));
        if (!conn)
                return -ENOMEM;
        conn->fd = TAKE_FD(fd);
        c->conn = conn;
        return 0;
}

static int conn_fail(Ctl *c, int r, const char *what) {
        fprintf(stderr, "vendorwatchctl: %s %s: %s\n", what, c->socket, strerror(-r));
        c->exit_status = CTL_EXIT_ERROR;
        return r;
}

static int conn_send(Ctl *c, json_object *req) {
        const char *s = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN);
        size_t len = strlen(s);
        _cleanup_free_ char *line = malloc(len + 2);

        if (!line)
                return -ENOMEM;
        memcpy(line, s, len);
        line[len++] = '\n';

        for (size_t done = 0; done < len;) {
                ssize_t n = send(c->conn->fd, line + done, len - done, MSG_NOSIGNAL);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return conn_fail(c, -errno, "cannot write to");
                }
                done += (size_t) n;
        }
        return 0;
}

/* Read one line into a malloc'd string (without the newline). */
static int conn_read_line(Ctl *c, char **ret, size_t *ret_len) {
        CtlConn *k = c->conn;

        for (size_t scanned = k->start;;) {
                char *nl = k->end > scanned ? memchr(k->buf + scanned, '\n', k->end - scanned) : NULL;
                if (nl) {
                        size_t len = (size_t) (nl - (k->buf + k->start));
                        char *line = malloc(len + 1);
                        if (!line)
                                return -ENOMEM;
                        memcpy(line, k->buf + k->start, len);
                        line[len] = 0;
                        k->start += len + 1;
                        *ret = line;
                        *ret_len = len;
                        return 0;
                }
                scanned = k->end;
                if (k->end - k->start > CTL_LINE_MAX) {
                        fprintf(stderr, "vendorwatchctl: reply line from %s longer than %u bytes\n",
                                c->socket, CTL_LINE_MAX);
                        c->exit_status = CTL_EXIT_ERROR;
                        return -EMSGSIZE;
                }
                /* make room: move the pending bytes to the front, then grow */
                if (k->start > 0) {
                        memmove(k->buf, k->buf + k->start, k->end - k->start);
                        k->end -= k->start;
                        scanned -= k->start;
                        k->start = 0;
                }
                if (k->size - k->end < 4096) {
                        size_t size = k->size ? k->size * 2 : 65536;
                        char *b = realloc(k->buf, size);
                        if (!b)
                                return -ENOMEM;
                        k->buf = b;
                        k->size = size;
                }
                ssize_t n = recv(k->fd, k->buf + k->end, k->size - k->end, 0);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return conn_fail(c, -errno, "cannot read from");
                }
                if (n == 0) {
                        fprintf(stderr, "vendorwatchctl: %s closed the connection%s\n", c->socket,
                                k->end > k->start ? " in the middle of a reply" : "");
                        c->exit_status = CTL_EXIT_ERROR;
                        return -ECONNRESET;
                }
                k->end += (size_t) n;
        }
}

static int conn_parse(Ctl *c, const char *line, size_t len, json_object **ret);

static int conn_read(Ctl *c, json_object **ret) {
        _cleanup_free_ char *line = NULL;
        size_t len = 0;
        int r = conn_read_line(c, &line, &len);
        if (r < 0)
                return r;
        return conn_parse(c, line, len, ret);
}

static int conn_parse(Ctl *c, const char *line, size_t len, json_object **ret) {
        json_tokener *tok;
        json_object *o;

        tok = json_tokener_new_ex(JSON_TOKENER_DEFAULT_DEPTH);
        if (!tok)
                return -ENOMEM;
        o = json_tokener_parse_ex(tok, line, (int) len);
        if (!o || json_tokener_get_error(tok) != json_tokener_success ||
            json_object_get_type(o) != json_type_object) {
                json_tokener_free(tok);
                json_object_put(o);
                fprintf(stderr, "vendorwatchctl: malformed reply from %s\n", c->socket);
                c->exit_status = CTL_EXIT_ERROR;
                return -EBADMSG;
        }
        json_tokener_free(tok);

        int64_t v;
        if (ctl_int(o, "version", &v) && v != CTL_PROTOCOL_VERSION) {
                json_object_put(o);
                fprintf(stderr, "vendorwatchctl: %s speaks protocol version %" PRIi64 ", this client %d\n",
                        c->socket, v, CTL_PROTOCOL_VERSION);
                c->exit_status = CTL_EXIT_ERROR;
                return -EPROTO;
        }
        *ret = o;
        return 0;
}

/* An error reply: print it, return -EREMOTE.  0 when the reply is not one. */
static int check_error(Ctl *c, json_object *reply) {
        json_object *ok;

        if (!json_object_object_get_ex(reply, "ok", &ok) || json_object_get_boolean(ok))
                return 0;
        const char *e = ctl_str(reply, "error");
        char *safe = ctl_sanitize(e ?: "error reply without a reason", false);
        if (!c->quiet)
                fprintf(stderr, "vendorwatchctl: %s\n", safe ?: "error");
        free(c->error);
        c->error = safe;
        c->exit_status = CTL_EXIT_ERROR;
        return -EREMOTE;
}

json_object *ctl_request(const char *command) {
        json_object *req = json_object_new_object();
        if (!req)
                return NULL;
        json_object_object_add(req, "version", json_object_new_int(CTL_PROTOCOL_VERSION));
        json_object_object_add(req, "command", json_object_new_string(command));
        return req;
}

int ctl_call(Ctl *c, json_object *req, json_object **ret) {
        json_object *reply = NULL;
        int r;

        r = ctl_connect(c);
        if (r < 0)
                return r;
        r = conn_send(c, req);
        if (r < 0)
                return r;
        r = conn_read(c, &reply);
        if (r < 0)
                return r;
        r = check_error(c, reply);
        if (r < 0) {
                json_object_put(reply);
                return r;
        }
        *ret = reply;
        return 0;
}

static int stream_items(Ctl *c, ctl_item_fn item, ctl_raw_fn raw, void *userdata);

int ctl_stream(Ctl *c, json_object *req, ctl_item_fn item, void *userdata) {
        return ctl_stream_raw(c, req, item, NULL, userdata);
}

int ctl_stream_raw(Ctl *c, json_object *req, ctl_item_fn item, ctl_raw_fn raw, void *userdata) {
        json_object *head = NULL;
        int r;

        r = ctl_call(c, req, &head);
        if (r < 0)
                return r;
        if (!ctl_str(head, "stream")) {
                /* tolerate a daemon that answers a stream command with an
                 * object holding the list */
                const char *cmd = ctl_str(req, "command");
                json_object *list = NULL;
                if (cmd && json_object_object_get_ex(head, cmd, &list) &&
                    json_object_is_type(list, json_type_array)) {
                        for (size_t i = 0; i < json_object_array_length(list); i++) {
                                r = item(c, json_object_array_get_idx(list, i), userdata);
                                if (r < 0)
                                        break;
                        }
                        json_object_put(head);
                        return r < 0 ? r : 0;
                }
                json_object_put(head);
                fprintf(stderr, "vendorwatchctl: expected a stream reply from %s\n", c->socket);
                c->exit_status = CTL_EXIT_ERROR;
                return -EBADMSG;
        }
        json_object_put(head);
        return stream_items(c, item, raw, userdata);
}

/* With `raw`, item lines are handed over as the daemon wrote them, unparsed:
 * the protocol guarantees that a stream's own lines (end, error) start with
 * {"version": and items never do. */
static int stream_items(Ctl *c, ctl_item_fn item, ctl_raw_fn raw, void *userdata) {
        static const char control_prefix[] = "{\"version\":";
        int r;

        for (;;) {
                json_object *o = NULL;
                _cleanup_free_ char *line = NULL;
                size_t len = 0;

                r = conn_read_line(c, &line, &len);
                if (r < 0)
                        return r;
                if (raw && (len < sizeof control_prefix - 1 ||
                            memcmp(line, control_prefix, sizeof control_prefix - 1) != 0)) {
                        r = raw(c, line, len, userdata);
                        if (r < 0)
                                return r;
                        continue;
                }
                r = conn_parse(c, line, len, &o);
                if (r < 0)
                        return r;
                if (ctl_bool(o, "end")) {
                        json_object_put(o);
                        return 0;
                }
                r = check_error(c, o);
                if (r >= 0)
                        r = item(c, o, userdata);
                json_object_put(o);
                if (r < 0)
                        return r;
        }
}
