/* SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <systemd/sd-daemon.h>

#include "control.h"
#include "jsonout.h"
#include "log.h"

#define OUT_HIGH_WATER (256 * 1024)     /* stop producing replies above this */
#define USEC_PER_SEC UINT64_C(1000000)

struct Client {
        Control *control;
        int fd;
        sd_event_source *io;
        sd_event_source *idle;
        struct ucred cred;
        char *in;
        size_t in_len;
        char *out;
        size_t out_len, out_off, out_cap;
        Stream stream;
        JsonOut text;           /* a text stream's item, reused */
        bool streaming;
        bool closing;           /* flush, then close */
        Client *prev, *next;
};

struct Control {
        Manager *manager;
        int fd;
        bool activated;         /* socket from systemd: not ours to unlink */
        char *path;
        sd_event_source *io;
        Client *clients;
        size_t n_clients;
        uint64_t refused;
};

size_t control_n_clients(Control *c) {
        return c ? c->n_clients : 0;
}

int control_next_line(const char *buf, size_t len, size_t *ret_line_len, size_t *ret_consumed) {
        const char *nl = memchr(buf, '\n', len);
        if (!nl)
                return len >= CONTROL_REQUEST_MAX ? -E2BIG : 0;
        size_t n = (size_t) (nl - buf);
        if (n > CONTROL_REQUEST_MAX)
                return -E2BIG;
        *ret_consumed = n + 1;
        if (n > 0 && buf[n - 1] == '\r')
                n--;
        *ret_line_len = n;
        return 1;
}

static void client_free(Client *cl) {
        if (!cl)
                return;
        Control *c = cl->control;
        if (cl->prev)
                cl->prev->next = cl->next;
        else
                c->clients = cl->next;
        if (cl->next)
                cl->next->prev = cl->prev;
        c->n_clients--;
        sd_event_source_disable_unref(cl->io);
        sd_event_source_disable_unref(cl->idle);
        if (cl->streaming && cl->stream.free)
                cl->stream.free(cl->stream.state);
        if (cl->fd >= 0)
                close(cl->fd);
        free(cl->in);
        free(cl->out);
        jsonout_done(&cl->text);
        free(cl);
}

static int client_write_raw(Client *cl, const char *s, size_t n) {
        if (cl->out_len + n > cl->out_cap) {
                size_t cap = cl->out_cap ? cl->out_cap : 4096;
                while (cap < cl->out_len + n)
                        cap *= 2;
                char *o = realloc(cl->out, cap);
                if (!o)
                        return -ENOMEM;
                cl->out = o;
                cl->out_cap = cap;
        }
        memcpy(cl->out + cl->out_len, s, n);
        cl->out_len += n;
        return 0;
}

static int client_write_json(Client *cl, json_object *j) {
        size_t n;
        const char *s = json_object_to_json_string_length(j, JSON_C_TO_STRING_PLAIN, &n);
        int r = client_write_raw(cl, s, n);
        if (r >= 0)
                r = client_write_raw(cl, "\n", 1);
        return r;
}

static bool peer_is_admin(Manager *m, const struct ucred *cred) {
        const char *group = m->config->control_admin_group;
        if (cred->uid == 0)
                return true;
        if (!group)
                return false;
        struct group *gr = getgrnam(group);
        if (!gr)
                return false;
        if (cred->gid == gr->gr_gid)
                return true;
        struct passwd *pw = getpwuid(cred->uid);
        if (!pw)
                return false;
        gid_t groups[256];
        int n = (int) ELEMENTSOF(groups);
        if (getgrouplist(pw->pw_name, pw->pw_gid, groups, &n) < 0)
                return false;
        for (int i = 0; i < n; i++)
                if (groups[i] == gr->gr_gid)
                        return true;
        return false;
}

static json_object *reply_new(bool ok) {
        json_object *j = json_object_new_object();
        json_object_object_add(j, "version", json_object_new_int(CONTROL_PROTOCOL_VERSION));
        json_object_object_add(j, "ok", json_object_new_boolean(ok));
        return j;
}

static json_object *reply_error(const char *msg) {
        json_object *j = reply_new(false);
        json_object_object_add(j, "error", json_object_new_string(msg));
        return j;
}

static json_object *dispatch(Manager *m, const struct ucred *cred, json_object *req, Stream *ret_stream) {
        json_object *v;
        if (json_object_object_get_ex(req, "version", &v) &&
            (!json_object_is_type(v, json_type_int) || json_object_get_int(v) != CONTROL_PROTOCOL_VERSION)) {
                char msg[128];
                snprintf(msg, sizeof msg, "bad version: this daemon speaks protocol version %d", CONTROL_PROTOCOL_VERSION);
                return reply_error(msg);
        }
        json_object *name;
        if (!json_object_object_get_ex(req, "command", &name) || !json_object_is_type(name, json_type_string))
                return reply_error("invalid request: missing \"command\"");
        const Command *cmd = command_find(json_object_get_string(name));
        if (!cmd) {
                char msg[160];
                snprintf(msg, sizeof msg, "unknown command \"%.64s\"", json_object_get_string(name));
                return reply_error(msg);
        }
        const char *admin_group = m->config->control_admin_group;
        if (cmd->admin && !peer_is_admin(m, cred)) {
                char msg[200];
                snprintf(msg, sizeof msg, "permission denied: \"%s\" needs uid 0 or the admin group%s%s", cmd->name,
                         admin_group ? " " : "", admin_group ? admin_group : "");
                return reply_error(msg);
        }

        Request r = {
                .manager = m,
                .args = req,
                .uid = cred->uid,
                .gid = cred->gid,
                .pid = cred->pid,
        };
        json_object *reply = NULL;
        Stream stream = {};
        _cleanup_free_ char *error = NULL;
        int k = cmd->fn(&r, &reply, &stream, &error);
        if (k < 0) {
                json_object_put(reply);
                return reply_error(error ? error : strerror(-k));
        }
        json_object *out = reply_new(true);
        if (stream.next || stream.next_text) {
                json_object_object_add(out, "stream", json_object_new_string(stream.name));
                *ret_stream = stream;
        } else if (reply) {
                json_object_object_foreach(reply, key, val)
                        json_object_object_add(out, key, json_object_get(val));
        }
        json_object_put(reply);
        return out;
}

json_object *control_dispatch(Manager *m, const struct ucred *cred, const char *line, size_t len, Stream *ret_stream) {
        json_tokener *tok = json_tokener_new();
        json_object *req = tok ? json_tokener_parse_ex(tok, line, (int) len) : NULL;
        bool complete = tok && json_tokener_get_error(tok) == json_tokener_success &&
                        json_tokener_get_parse_end(tok) == len;
        json_tokener_free(tok);

        *ret_stream = (Stream) {};
        if (!req || !complete || !json_object_is_type(req, json_type_object)) {
                json_object_put(req);
                return reply_error("malformed request: expected one JSON object per line");
        }
        json_object *reply = dispatch(m, cred, req, ret_stream);
        json_object_put(req);
        return reply;
}

static void client_reply_error(Client *cl, const char *msg) {
        json_object *j = reply_error(msg);
        client_write_json(cl, j);
        json_object_put(j);
}

static void client_handle_line(Client *cl, const char *line, size_t len) {
        Stream stream;
        json_object *reply = control_dispatch(cl->control->manager, &cl->cred, line, len, &stream);
        client_write_json(cl, reply);
        json_object_put(reply);
        if (stream.next || stream.next_text) {
                cl->stream = stream;
                cl->streaming = true;
        }
}

/* Produce stream items until the buffer is comfortably full. */
static void client_pump_stream(Client *cl) {
        Manager *m = cl->control->manager;
        while (cl->streaming && cl->out_len - cl->out_off < OUT_HIGH_WATER) {
                json_object *item = NULL;
                bool more;
                if (cl->stream.next_text) {
                        jsonout_reset(&cl->text);
                        more = cl->stream.next_text(m, cl->stream.state, &cl->text);
                } else {
                        item = cl->stream.next(m, cl->stream.state);
                        more = item != NULL;
                }
                if (!more) {
                        json_object *end = json_object_new_object();
                        json_object_object_add(end, "version", json_object_new_int(CONTROL_PROTOCOL_VERSION));
                        json_object_object_add(end, "end", json_object_new_boolean(true));
                        json_object_object_add(end, "count", json_object_new_uint64(cl->stream.count));
                        client_write_json(cl, end);
                        json_object_put(end);
                        if (cl->stream.free)
                                cl->stream.free(cl->stream.state);
                        cl->stream = (Stream) {};
                        cl->streaming = false;
                        break;
                }
                cl->stream.count++;
                if (item) {
                        client_write_json(cl, item);
                        json_object_put(item);
                } else if (!cl->text.oom) {
                        client_write_raw(cl, cl->text.buf, cl->text.len);
                        client_write_raw(cl, "\n", 1);
                }
        }
}

static bool client_backlogged(const Client *cl) {
        return cl->out_len - cl->out_off >= OUT_HIGH_WATER;
}

static void client_process_input(Client *cl) {
        size_t off = 0;
        /* One request at a time while a stream is being written: replies stay
         * in order.  A client that sends requests without reading the replies
         * is not served further until it reads: the replies it has not taken
         * are all the memory it gets. */
        while (!cl->streaming && !cl->closing && !client_backlogged(cl) && off < cl->in_len) {
                size_t line_len = 0, consumed = 0;
                int r = control_next_line(cl->in + off, cl->in_len - off, &line_len, &consumed);
                if (r < 0) {
                        client_reply_error(cl, "request too large (limit 64 KiB)");
                        cl->closing = true;
                        off = cl->in_len;
                        break;
                }
                if (r == 0)
                        break;
                if (line_len > 0)
                        client_handle_line(cl, cl->in + off, line_len);
                off += consumed;
        }
        if (off > 0) {
                memmove(cl->in, cl->in + off, cl->in_len - off);
                cl->in_len -= off;
        }
}

static int client_update_events(Client *cl) {
        uint32_t ev = 0;
        if (!cl->closing && cl->in_len < CONTROL_REQUEST_MAX + 2 && !cl->streaming && !client_backlogged(cl))
                ev |= EPOLLIN;
        if (cl->out_len > cl->out_off || cl->streaming)
                ev |= EPOLLOUT;
        if (ev == 0 && cl->closing) {
                client_free(cl);
                return 0;
        }
        if (ev == 0)
                ev = EPOLLIN;   /* still notice a hang-up */
        return sd_event_source_set_io_events(cl->io, ev);
}

static void client_arm_idle(Client *cl) {
        /* Only a half-sent request (or an unread reply) is on the clock; an idle,
         * quiet connection may stay. */
        bool pending = cl->in_len > 0 || cl->out_len > cl->out_off || cl->streaming;
        if (pending)
                sd_event_source_set_time_relative(cl->idle,
                        (uint64_t) cl->control->manager->config->control_idle_timeout_sec * USEC_PER_SEC);
        sd_event_source_set_enabled(cl->idle, pending ? SD_EVENT_ONESHOT : SD_EVENT_OFF);
}

static int on_client_io(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Client *cl = userdata;
        bool progress = false;

        if (revents & EPOLLIN) {
                if (cl->in_len + 4096 > CONTROL_REQUEST_MAX + 4096 + 1) {
                        /* full buffer without a newline: control_next_line reports it */
                } else {
                        char *in = realloc(cl->in, cl->in_len + 4096);
                        if (!in) {
                                client_free(cl);
                                return 0;
                        }
                        cl->in = in;
                        ssize_t n = recv(fd, cl->in + cl->in_len, 4096, MSG_DONTWAIT);
                        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
                                client_free(cl);
                                return 0;
                        }
                        if (n > 0) {
                                cl->in_len += (size_t) n;
                                progress = true;
                        }
                }
                client_process_input(cl);
        } else if (revents & (EPOLLHUP | EPOLLERR) && !(revents & EPOLLOUT)) {
                client_free(cl);
                return 0;
        }

        if (cl->streaming)
                client_pump_stream(cl);
        if (cl->out_len > cl->out_off) {
                ssize_t n = send(fd, cl->out + cl->out_off, cl->out_len - cl->out_off, MSG_DONTWAIT | MSG_NOSIGNAL);
                if (n < 0 && errno != EAGAIN && errno != EINTR) {
                        client_free(cl);
                        return 0;
                }
                if (n > 0) {
                        cl->out_off += (size_t) n;
                        progress = true;
                }
                if (cl->out_off == cl->out_len)
                        cl->out_off = cl->out_len = 0;
                else if (cl->out_off >= OUT_HIGH_WATER) {
                        /* a long stream drains while it is produced: keep the
                         * buffer at about the high-water mark, not the stream's size */
                        memmove(cl->out, cl->out + cl->out_off, cl->out_len - cl->out_off);
                        cl->out_len -= cl->out_off;
                        cl->out_off = 0;
                }
        }
        if (!cl->streaming)
                client_process_input(cl);       /* requests queued behind a stream or a backlog */
        if (progress || cl->in_len == 0)
                client_arm_idle(cl);
        return client_update_events(cl);
}

static int on_client_idle(sd_event_source *s, uint64_t usec, void *userdata) {
        Client *cl = userdata;
        log_debug("control: dropping client pid %d (stalled)", (int) cl->cred.pid);
        client_free(cl);
        return 0;
}

static size_t clients_of_uid(Control *c, uid_t uid) {
        size_t n = 0;
        for (Client *cl = c->clients; cl; cl = cl->next)
                n += cl->cred.uid == uid;
        return n;
}

static int on_accept(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Control *c = userdata;
        const Config *cfg = c->manager->config;
        for (;;) {
                _cleanup_close_ int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
                if (cfd < 0) {
                        if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
                                log_warning_errno(-errno, "control: accept failed: %m");
                        return 0;
                }
                struct ucred cred;
                socklen_t sl = sizeof cred;
                if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cred, &sl) < 0)
                        continue;
                if (c->n_clients >= cfg->control_max_clients ||
                    (cred.uid != 0 && clients_of_uid(c, cred.uid) >= cfg->control_max_clients_per_uid)) {
                        static const char busy[] = "{\"version\":1,\"ok\":false,\"error\":\"too many clients\"}\n";
                        (void) !send(cfd, busy, sizeof busy - 1, MSG_DONTWAIT | MSG_NOSIGNAL);
                        if (c->refused++ % 100 == 0)
                                log_warning("control: client limit reached, refusing connections (%" PRIu64 " so far)", c->refused);
                        continue;
                }
                Client *cl = calloc(1, sizeof(Client));
                if (!cl)
                        return 0;
                cl->control = c;
                cl->fd = TAKE_FD(cfd);
                cl->cred = cred;
                cl->next = c->clients;
                if (c->clients)
                        c->clients->prev = cl;
                c->clients = cl;
                c->n_clients++;
                if (sd_event_add_io(c->manager->event, &cl->io, cl->fd, EPOLLIN, on_client_io, cl) < 0 ||
                    sd_event_add_time_relative(c->manager->event, &cl->idle, CLOCK_MONOTONIC,
                                               (uint64_t) cfg->control_idle_timeout_sec * USEC_PER_SEC, 0,
                                               on_client_idle, cl) < 0) {
                        client_free(cl);
                        continue;
                }
                sd_event_source_set_enabled(cl->idle, SD_EVENT_OFF);
        }
}

static int control_listen(Control *c) {
        const Config *cfg = c->manager->config;
        int n = sd_listen_fds(true);
        if (n > 1)
                return log_error_errno(-EINVAL, "control: received %d sockets from the service manager, expected 1", n);
        if (n == 1) {
                c->fd = SD_LISTEN_FDS_START;
                c->activated = true;
                /* Service managers pass a blocking socket; on_accept() drains
                 * it until EAGAIN and would hang on a blocking one. */
                int fl = fcntl(c->fd, F_GETFL);
                if (fl < 0 || fcntl(c->fd, F_SETFL, fl | O_NONBLOCK) < 0)
                        return log_error_errno(-errno, "control: passed socket: %m");
                log_info("control: using the socket passed by the service manager");
                return 0;
        }

        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        if (strlen(cfg->control_socket) >= sizeof sa.sun_path)
                return log_error_errno(-ENAMETOOLONG, "control: socket path too long: %s", cfg->control_socket);
        strcpy(sa.sun_path, cfg->control_socket);

        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return log_error_errno(-errno, "control: socket(): %m");
        (void) unlink(cfg->control_socket);     /* a stale socket from an earlier run */
        mode_t old = umask(0117);
        int r = bind(fd, (struct sockaddr *) &sa, sizeof sa);
        umask(old);
        if (r < 0)
                return log_error_errno(-errno, "control: cannot bind %s: %m", cfg->control_socket);
        if (cfg->control_group) {
                struct group *gr = getgrnam(cfg->control_group);
                if (!gr)
                        return log_error_errno(-ENOENT, "control: group \"%s\" does not exist", cfg->control_group);
                if (chown(cfg->control_socket, (uid_t) -1, gr->gr_gid) < 0)
                        return log_error_errno(-errno, "control: cannot give %s to group %s: %m", cfg->control_socket,
                                               cfg->control_group);
        }
        if (chmod(cfg->control_socket, 0660) < 0)
                return log_error_errno(-errno, "control: chmod %s: %m", cfg->control_socket);
        if (listen(fd, 128) < 0)
                return log_error_errno(-errno, "control: listen: %m");
        c->path = strdup(cfg->control_socket);
        c->fd = TAKE_FD(fd);
        return 0;
}

int control_new(Manager *m, Control **ret) {
        Control *c = calloc(1, sizeof(Control));
        if (!c)
                return -ENOMEM;
        c->manager = m;
        c->fd = -EBADF;
        int r = control_listen(c);
        if (r >= 0)
                r = sd_event_add_io(m->event, &c->io, c->fd, EPOLLIN, on_accept, c);
        if (r < 0) {
                control_free(c);
                return r;
        }
        *ret = c;
        return 0;
}

void control_reconfigure(Control *c) {
        if (c && !c->activated && c->path && !streq(c->path, c->manager->config->control_socket))
                log_warning("control.socket changed to %s: takes effect at the next restart (still serving %s)",
                            c->manager->config->control_socket, c->path);
}

Control *control_free(Control *c) {
        if (!c)
                return NULL;
        while (c->clients)
                client_free(c->clients);
        sd_event_source_disable_unref(c->io);
        if (c->fd >= 0 && !c->activated) {
                close(c->fd);
                if (c->path)
                        (void) unlink(c->path);
        }
        free(c->path);
        free(c);
        return NULL;
}
