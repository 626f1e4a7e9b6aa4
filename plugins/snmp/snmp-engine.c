/* SPDX-License-Identifier: MIT */
/*
 * The SNMP poller.
 *
 * Each target being polled has its own net-snmp single session
 * (snmp_sess_open) and so its own UDP socket; at most `concurrency` are open.
 * The sessions' sockets sit in one epoll set of the engine's own, which is
 * one sd-event source: a burst of answers is read in one dispatch (with one
 * sd-event source per socket, sd-event dispatches one per loop iteration and
 * epoll re-reports every still-ready socket each time: quadratic in the
 * burst, the daemon's largest cost at 256 in flight).  After every SNMP event
 * the session's fds and next timeout are re-read with
 * snmp_sess_select_info2() (over one netsnmp_large_fd_set, so descriptors past
 * 1024 work), and one sd-event timer fires at the earliest retransmission or
 * timeout of all sessions, where snmp_sess_timeout() runs.  Nothing blocks:
 * v3 sessions are opened with SNMP_FLAGS_DONT_PROBE so engine-ID discovery
 * happens in-band (the agent's unknownEngineID report makes net-snmp resend)
 * instead of the synchronous probe in snmp_sess_open().
 *
 * A poll runs the walks of snmp_walks[] in order: one GET of the scalars,
 * then each table with GETBULK (GETNEXT for v1), all of its columns in
 * lock-step.  Varbinds go into a SnmpRecord (snmp-mib.c), which becomes the
 * observations when the poll ends.  Sessions are closed only after net-snmp
 * has returned from the read or timeout call that finished them.
 */
#include <errno.h>
#include <inttypes.h>
#include <search.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <time.h>

#include <json-c/json.h>
#include <systemd/sd-event.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/library/large_fd_set.h>
#include <net-snmp/library/snmp_transport.h>
#include <net-snmp/library/snmpusm.h>

#include "snmp-engine.h"
#include "snmp-mib.h"

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))
#define USEC_PER_MSEC UINT64_C(1000)
#define USEC_PER_SEC UINT64_C(1000000)
#define FD_RESERVE 256          /* descriptors left for the rest of the daemon */
#define TARGET_ERRORS_SHOWN 100
#define EPOLL_BATCH 512         /* ready sockets handled per dispatch */

typedef enum TargetOrigin {
        ORIGIN_SEED,
        ORIGIN_SWEEP,
        ORIGIN_CRAWL,
        ORIGIN_RESCAN,
} TargetOrigin;

static const char *const origin_names[] = { "seed", "sweep", "crawl", "rescan" };

typedef enum TargetState {
        TARGET_IDLE,
        TARGET_QUEUED,
        TARGET_ACTIVE,
} TargetState;

typedef struct Target Target;

/* What a target carries only while it is polled. */
typedef struct Poll {
        void *sess;
        int epoll_fd;                   /* the engine's set holding fd, or -1 */
        int fd;
        uint64_t started;
        uint64_t deadline;              /* CLOCK_MONOTONIC usec; 0 = nothing pending */
        int reqid;                      /* outstanding request, 0 = none */
        uint64_t watchdog;              /* give up on the request by then, whatever net-snmp thinks */
        bool callback_ran;
        size_t walk;
        /* per column of the current table walk */
        bool col_done[SNMP_WALK_COLUMNS_MAX];
        oid last[SNMP_WALK_COLUMNS_MAX][MAX_OID_LEN];
        size_t last_len[SNMP_WALK_COLUMNS_MAX];
        size_t req_cols[SNMP_WALK_COLUMNS_MAX];        /* columns in the outstanding request */
        size_t n_req_cols;
        size_t col_rows[SNMP_WALK_COLUMNS_MAX];        /* rows each column gave in this walk */
        unsigned repetitions;           /* varbinds asked for per GETBULK, shared by the columns */
        bool sized;                     /* the outstanding GETBULK was sized by the last poll's rows */
        bool walk_clean;                /* the walk ends where the agent's table ends */
        size_t requests;
        size_t get_drop;                /* v1: scalars dropped after noSuchName */
        unsigned v3_resends;            /* discovery and time-window resends */
        bool system_ok;
        bool finished;
        bool failed;
        bool truncated;
        SnmpRecord *record;
} Poll;

struct Target {
        char key[INET6_ADDRSTRLEN + 8];         /* "ADDR" or "ADDR:PORT" / "[ADDR]:PORT" */
        char addr_text[INET6_ADDRSTRLEN];
        SnmpAddr addr;
        uint16_t port;
        const SnmpGroup *group;
        size_t group_index;
        TargetOrigin origin;
        TargetState state;
        uint64_t next_due;
        unsigned failures;
        uint64_t polls;
        uint32_t logged;                /* error kinds already logged (bit per SnmpErrorKind) */
        SnmpErrorKind last_error_kind;
        char *last_error;               /* for status; never holds secrets */
        Target *queue_next;
        size_t active_slot;
        Poll *poll;
        /* rows + 1 of each table at the end of its last clean walk; 0 = not known */
        uint32_t walk_rows[SNMP_WALKS_MAX];
};

/* Localised-later keys (Ku) per group, made once: generate_Ku is slow. */
typedef struct GroupKeys {
        u_char auth[USM_AUTH_KU_LEN];
        size_t auth_len;
        u_char priv[USM_PRIV_KU_LEN];
        size_t priv_len;
} GroupKeys;

struct SnmpEngine {
        const struct vw_host *host;
        struct vw_plugin_ctx *ctx;
        SnmpConfig *cfg;
        sd_event *event;
        sd_event_source *snmp_timer;
        sd_event_source *cycle_timer;
        sd_event_source *io;            /* epoll_fd in the daemon's loop */
        int epoll_fd;                   /* every polled session's socket */
        uint64_t snmp_timer_at;         /* 0 = disarmed */
        GroupKeys *keys;

        void *index;                    /* tsearch tree of Target by key */
        Target **targets;
        size_t n_targets, cap_targets;
        Target *queue_head, *queue_tail;
        size_t n_queued;
        Target **active;
        size_t n_active;
        Target **finished;
        size_t n_finished;
        unsigned concurrency;

        netsnmp_large_fd_set fdset;
        int fdset_size;
        char *persistent_dir;

        bool cycle_running;
        uint64_t cycle_started;
        uint64_t last_cycle_usec;
        uint64_t cycles;
        uint64_t cycle_polls_ok;
        uint64_t cycle_polls_failed;
        int64_t cycle_ok_before_first_timeout;  /* -1 = no timeout in this cycle yet */
        int64_t last_ok_before_first_timeout;

        uint64_t requests, responses, varbinds, retransmits, observations;
        uint64_t polls_ok, polls_failed;
        uint64_t crawl_added, crawl_refused, crawl_capped;
        uint64_t fdb_hosts, arp_hosts, arp_anonymous, uplink_macs, uplink_ports, host_entries_skipped;
        uint64_t errors[_SNMP_ERR_MAX];
};

/* net-snmp is one library-wide state: it is initialised once per process and
 * never shut down (init_snmp after snmp_shutdown allocates its MIB tables
 * again without freeing the old ones, a leak per reload); the plugin is
 * linked -z nodelete, so that state outlives any one plugin instance. */
static bool netsnmp_ready;

static uint64_t now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * USEC_PER_SEC + (uint64_t) ts.tv_nsec / 1000;
}

#define LOG(e, level, ...) (e)->host->ops->log((e)->ctx, level, __VA_ARGS__)

static void target_error(SnmpEngine *e, Target *t, SnmpErrorKind kind, enum vw_log_level level, const char *fmt, ...)
        __attribute__((format(printf, 5, 6)));

/* Count an error; tell the operator once per target and kind (until the
 * target answers cleanly again), then only at debug level. */
static void target_error(SnmpEngine *e, Target *t, SnmpErrorKind kind, enum vw_log_level level, const char *fmt, ...) {
        char msg[512];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);

        e->errors[kind]++;
        bool first = !(t->logged & (1u << kind));
        t->logged |= 1u << kind;
        LOG(e, first ? level : VW_LOG_DEBUG, "target %s (group %s): %s%s", t->key, t->group->name, msg,
            first ? "" : " (again)");
        char *copy = strdup(msg);
        if (copy) {
                free(t->last_error);
                t->last_error = copy;
                t->last_error_kind = kind;
        }
}

/* ---- targets ---- */

static int target_cmp(const void *a, const void *b) {
        return strcmp(((const Target *) a)->key, ((const Target *) b)->key);
}

static void make_key(const SnmpAddr *a, uint16_t port, char key[static INET6_ADDRSTRLEN + 8], char text[static INET6_ADDRSTRLEN]) {
        snmp_addr_format(a, text);
        if (port == 161)
                snprintf(key, INET6_ADDRSTRLEN + 8, "%s", text);
        else if (a->family == AF_INET6)
                snprintf(key, INET6_ADDRSTRLEN + 8, "[%s]:%u", text, port);
        else
                snprintf(key, INET6_ADDRSTRLEN + 8, "%s:%u", text, port);
}

static Target *target_find(SnmpEngine *e, const SnmpAddr *a, uint16_t port) {
        Target probe;
        make_key(a, port, probe.key, probe.addr_text);
        void *n = tfind(&probe, &e->index, target_cmp);
        return n ? *(Target **) n : NULL;
}

static void queue_push(SnmpEngine *e, Target *t);

/* Add a target (idle, due now).  -EEXIST when known, -ENOSPC at the cap. */
static int target_add(SnmpEngine *e, const SnmpAddr *a, uint16_t port, const SnmpGroup *g, TargetOrigin origin, Target **ret) {
        Target *t = target_find(e, a, port);
        if (t) {
                if (ret)
                        *ret = t;
                return -EEXIST;
        }
        if (e->n_targets >= e->cfg->max_targets)
                return -ENOSPC;
        if (e->n_targets == e->cap_targets) {
                size_t cap = e->cap_targets ? e->cap_targets * 2 : 64;
                Target **n = realloc(e->targets, cap * sizeof(Target *));
                if (!n)
                        return -ENOMEM;
                e->targets = n, e->cap_targets = cap;
        }
        t = calloc(1, sizeof(Target));
        if (!t)
                return -ENOMEM;
        t->addr = *a;
        t->port = port;
        t->group = g;
        t->group_index = (size_t) (g - e->cfg->groups);
        t->origin = origin;
        make_key(a, port, t->key, t->addr_text);
        if (!tsearch(t, &e->index, target_cmp)) {
                free(t);
                return -ENOMEM;
        }
        e->targets[e->n_targets++] = t;
        if (ret)
                *ret = t;
        return 0;
}

static void poll_free(Poll *p) {
        if (!p)
                return;
        if (p->epoll_fd >= 0)
                (void) epoll_ctl(p->epoll_fd, EPOLL_CTL_DEL, p->fd, NULL);
        if (p->sess)
                snmp_sess_close(p->sess);
        snmp_record_free(p->record);
        free(p);
}

static void target_free(Target *t) {
        if (!t)
                return;
        poll_free(t->poll);
        free(t->last_error);
        free(t);
}

/* ---- the timer for net-snmp's retransmissions and timeouts ---- */

static void snmp_timer_arm(SnmpEngine *e, uint64_t at) {
        if (at == 0 || (e->snmp_timer_at != 0 && e->snmp_timer_at <= at))
                return;
        e->snmp_timer_at = at;
        sd_event_source_set_time(e->snmp_timer, at);
        sd_event_source_set_enabled(e->snmp_timer, SD_EVENT_ONESHOT);
}

/* Re-read a session's descriptors and next timeout. */
static void poll_refresh(SnmpEngine *e, Target *t) {
        Poll *p = t->poll;
        int numfds = 0, block = 1;
        struct timeval tv = {};

        if (!p || !p->sess || p->finished)
                return;
        snmp_sess_select_info2(p->sess, &numfds, &e->fdset, &tv, &block);
        /* a UDP session keeps its one socket; clear what select_info set */
        if (numfds > 0 && numfds <= e->fdset_size)
                for (int fd = p->fd; fd >= 0 && fd < numfds; fd = -1)
                        NETSNMP_LARGE_FD_CLR(fd, &e->fdset);
        p->deadline = block ? 0 : now_usec() + (uint64_t) tv.tv_sec * USEC_PER_SEC + (uint64_t) tv.tv_usec;
        /* a request net-snmp dropped without a callback (an unauthenticated
         * report it ignores) must not leave the target polling forever */
        if (p->reqid != 0 && (p->deadline == 0 || p->deadline > p->watchdog))
                p->deadline = p->watchdog;
        snmp_timer_arm(e, p->deadline);
}

/* ---- requests ---- */

static int poll_callback(int op, netsnmp_session *session, int reqid, netsnmp_pdu *pdu, void *magic);

static void poll_finish(SnmpEngine *e, Target *t, bool failed) {
        Poll *p = t->poll;
        if (p->finished)
                return;
        p->finished = true;
        p->failed = failed;
        p->deadline = 0;
        e->finished[e->n_finished++] = t;
}

static void add_oid(netsnmp_pdu *pdu, const uint32_t *o, size_t n) {
        oid buf[MAX_OID_LEN];
        for (size_t i = 0; i < n && i < MAX_OID_LEN; i++)
                buf[i] = o[i];
        snmp_add_null_var(pdu, buf, n);
}

static void poll_next_walk(SnmpEngine *e, Target *t);

static void poll_send(SnmpEngine *e, Target *t, netsnmp_pdu *pdu) {
        Poll *p = t->poll;
        if (p->requests >= e->cfg->max_requests) {
                snmp_free_pdu(pdu);
                p->truncated = true;
                target_error(e, t, SNMP_ERR_TRUNCATED, VW_LOG_WARNING,
                             "more than max_requests (%zu) requests in one poll; poll cut short", e->cfg->max_requests);
                poll_finish(e, t, false);
                return;
        }
        p->requests++;
        e->requests++;
        p->callback_ran = false;
        p->watchdog = now_usec() + (uint64_t) e->cfg->timeout_ms * USEC_PER_MSEC * (e->cfg->retries + 1) + 100 * USEC_PER_MSEC;
        p->reqid = snmp_sess_async_send(p->sess, pdu, poll_callback, t);
        if (p->reqid == 0) {
                netsnmp_session *s = snmp_sess_session(p->sess);
                snmp_free_pdu(pdu);
                target_error(e, t, SNMP_ERR_SEND, VW_LOG_WARNING, "cannot send: %s",
                             snmp_api_errstring(s ? s->s_snmp_errno : SNMPERR_GENERR));
                poll_finish(e, t, true);
        }
}

static void send_get(SnmpEngine *e, Target *t) {
        const SnmpWalk *w = &snmp_walks[t->poll->walk];
        netsnmp_pdu *pdu = snmp_pdu_create(SNMP_MSG_GET);
        if (!pdu) {
                poll_finish(e, t, true);
                return;
        }
        netsnmp_session *s = snmp_sess_session(t->poll->sess);
        if (s->version == SNMP_VERSION_3 && s->securityEngineIDLen == 0) {
                /* engine-ID discovery: an empty, unauthenticated request
                 * that the agent answers with a report carrying its ID */
                pdu->securityLevel = SNMP_SEC_LEVEL_NOAUTH;
                pdu->securityModel = SNMP_SEC_MODEL_USM;
                pdu->securityName = strdup("");
                pdu->securityNameLen = 0;
                poll_send(e, t, pdu);
                return;
        }
        for (size_t i = 0; i < w->n_columns; i++) {
                if (t->poll->get_drop & (1u << i))
                        continue;
                const SnmpColumn *c = &snmp_columns[w->columns[i]];
                add_oid(pdu, c->oid, c->oid_len);
        }
        poll_send(e, t, pdu);
}

static void send_table(SnmpEngine *e, Target *t) {
        Poll *p = t->poll;
        const SnmpWalk *w = &snmp_walks[p->walk];
        bool bulk = t->group->version != SNMP_VERSION_V1;
        netsnmp_pdu *pdu = snmp_pdu_create(bulk ? SNMP_MSG_GETBULK : SNMP_MSG_GETNEXT);
        if (!pdu) {
                poll_finish(e, t, true);
                return;
        }
        p->n_req_cols = 0;
        for (size_t i = 0; i < w->n_columns; i++) {
                if (p->col_done[i])
                        continue;
                p->req_cols[p->n_req_cols++] = i;
                snmp_add_null_var(pdu, p->last[i], p->last_len[i]);
        }
        if (bulk) {
                pdu->non_repeaters = 0;
                unsigned reps = p->repetitions / (unsigned) p->n_req_cols;
                pdu->max_repetitions = reps ? reps : 1;
        }
        poll_send(e, t, pdu);
}

/* End-host walks are off with `hosts = false`; a fallback table is read
 * only when the table before it gave nothing. */
static bool walk_wanted(const SnmpEngine *e, const Poll *p, size_t walk) {
        const SnmpWalk *w = &snmp_walks[walk];
        if (w->hosts && !e->cfg->hosts)
                return false;
        if (w->fallback && walk > 0 && snmp_record_rows(p->record, snmp_walks[walk - 1].columns[0]) > 0)
                return false;
        return true;
}

/* How many varbinds the first GETBULK of a table walk asks for.  A table
 * whose size the target's last poll saw is asked for in one request of
 * rows + 1 repetitions (the extra one shows the end), as long as that stays
 * within twice the `max_repetitions` budget: no second round trip to find
 * the end, and no dozens of varbinds past the end of a short table for the
 * agent to look up.  An unknown or big table gets the budget. */
static unsigned walk_repetitions(const SnmpEngine *e, const Target *t, size_t walk, bool *ret_sized) {
        const SnmpWalk *w = &snmp_walks[walk];
        uint64_t known = t->walk_rows[walk];
        uint64_t want = known * w->n_columns;   /* (rows + 1) per column */

        *ret_sized = known > 0 && want <= 2 * (uint64_t) e->cfg->max_repetitions;
        return *ret_sized ? (unsigned) want : e->cfg->max_repetitions;
}

static void poll_next_walk(SnmpEngine *e, Target *t) {
        Poll *p = t->poll;
        do
                p->walk++;
        while (p->walk < snmp_n_walks && !walk_wanted(e, p, p->walk));
        if (p->walk >= snmp_n_walks) {
                poll_finish(e, t, false);
                return;
        }
        const SnmpWalk *w = &snmp_walks[p->walk];
        if (w->kind == WALK_GET) {
                p->get_drop = 0;
                send_get(e, t);
                return;
        }
        p->repetitions = walk_repetitions(e, t, p->walk, &p->sized);
        p->walk_clean = true;
        for (size_t i = 0; i < w->n_columns; i++) {
                const SnmpColumn *c = &snmp_columns[w->columns[i]];
                p->col_done[i] = false;
                p->col_rows[i] = 0;
                for (size_t k = 0; k < c->oid_len; k++)
                        p->last[i][k] = c->oid[k];
                p->last_len[i] = c->oid_len;
        }
        send_table(e, t);
}

/* Convert a net-snmp varbind for the record. */
static int varbind_convert(const netsnmp_variable_list *v, uint32_t *oid_buf, uint32_t *val_buf, SnmpVarbind *ret) {
        SnmpVarbind vb = { .type = v->type };
        if (v->name_length > SNMP_OID_MAX)
                return -EBADMSG;
        for (size_t i = 0; i < v->name_length; i++) {
                if (v->name[i] > UINT32_MAX)
                        return -EBADMSG;
                oid_buf[i] = (uint32_t) v->name[i];
        }
        vb.oid = oid_buf, vb.oid_len = v->name_length;
        switch (v->type) {
        case ASN_INTEGER:
        case ASN_COUNTER:
        case ASN_GAUGE:
        case ASN_TIMETICKS:
                vb.integer = v->val.integer ? *v->val.integer : 0;
                break;
        case ASN_OCTET_STR:
        case ASN_IPADDRESS:
        case ASN_OPAQUE:
                vb.octets = v->val.string, vb.octets_len = v->val_len;
                break;
        case ASN_OBJECT_ID: {
                size_t n = v->val_len / sizeof(oid);
                if (n > SNMP_OID_MAX)
                        n = SNMP_OID_MAX;
                for (size_t i = 0; i < n; i++)
                        val_buf[i] = (uint32_t) v->val.objid[i];
                vb.value_oid = val_buf, vb.value_oid_len = n;
                break;
        }
        default:
                break;
        }
        *ret = vb;
        return 0;
}

static void record_varbind(SnmpEngine *e, Target *t, const netsnmp_variable_list *v, bool scalar) {
        uint32_t oid_buf[SNMP_OID_MAX], val_buf[SNMP_OID_MAX];
        SnmpVarbind vb;
        SnmpErrorKind kind = _SNMP_ERR_MAX;

        if (varbind_convert(v, oid_buf, val_buf, &vb) < 0) {
                target_error(e, t, SNMP_ERR_WRONG_TYPE, VW_LOG_NOTICE, "malformed varbind skipped");
                return;
        }
        int r = snmp_record_add(t->poll->record, &vb, &kind);
        if (r == -EBADMSG) {
                SnmpColumnId id;
                size_t at;
                const char *name = snmp_column_lookup(vb.oid, vb.oid_len, &id, &at) >= 0 ? snmp_columns[id].name : "?";
                target_error(e, t, SNMP_ERR_WRONG_TYPE, VW_LOG_NOTICE, "%s has the wrong type (0x%02x); ignored", name, vb.type);
        } else if (r == 0 && kind == SNMP_ERR_NO_SUCH && scalar) {
                /* only the system group is required; LLDP-MIB is optional */
                SnmpColumnId id;
                size_t at;
                if (snmp_column_lookup(vb.oid, vb.oid_len, &id, &at) >= 0 && id <= COL_SYS_LOCATION)
                        target_error(e, t, SNMP_ERR_NO_SUCH, VW_LOG_INFO, "no %s (noSuchObject/noSuchInstance)", snmp_columns[id].name);
        } else if (r == 1 && scalar)
                t->poll->system_ok = true;
}

static void handle_get(SnmpEngine *e, Target *t, netsnmp_pdu *pdu) {
        Poll *p = t->poll;
        const SnmpWalk *w = &snmp_walks[p->walk];

        if (pdu->errstat == SNMP_ERR_NOSUCHNAME && pdu->errindex > 0) {
                /* SNMPv1: drop the missing scalar and ask again */
                long k = 0;
                for (size_t i = 0; i < w->n_columns; i++)
                        if (!(p->get_drop & (1u << i)) && ++k == pdu->errindex) {
                                p->get_drop |= 1u << i;
                                if (p->get_drop + 1 == 1u << w->n_columns)
                                        break;
                                send_get(e, t);
                                return;
                        }
        }
        if (pdu->errstat != SNMP_ERR_NOERROR)
                target_error(e, t, SNMP_ERR_ERROR_STATUS, VW_LOG_NOTICE, "%s: error-status %ld (%s)", w->name,
                             pdu->errstat, snmp_errstring((int) pdu->errstat));
        else
                for (netsnmp_variable_list *v = pdu->variables; v; v = v->next_variable)
                        record_varbind(e, t, v, true);
        if (p->walk == 0 && !p->system_ok) {
                target_error(e, t, SNMP_ERR_NO_SUCH, VW_LOG_WARNING, "the agent answers but gives no system group");
                poll_finish(e, t, true);
                return;
        }
        poll_next_walk(e, t);
}

static void handle_table(SnmpEngine *e, Target *t, netsnmp_pdu *pdu) {
        Poll *p = t->poll;
        const SnmpWalk *w = &snmp_walks[p->walk];

        if (pdu->errstat == SNMP_ERR_TOOBIG && p->repetitions > 1) {
                p->repetitions /= 2;            /* ask for less */
                send_table(e, t);
                return;
        }
        if (pdu->errstat == SNMP_ERR_NOSUCHNAME) {   /* v1: end of the MIB */
                poll_next_walk(e, t);
                return;
        }
        if (pdu->errstat != SNMP_ERR_NOERROR) {
                target_error(e, t, SNMP_ERR_ERROR_STATUS, VW_LOG_NOTICE, "%s: error-status %ld (%s); table skipped", w->name,
                             pdu->errstat, snmp_errstring((int) pdu->errstat));
                t->walk_rows[p->walk] = 0;
                poll_next_walk(e, t);
                return;
        }

        size_t i = 0;
        bool any = false;
        for (netsnmp_variable_list *v = pdu->variables; v; v = v->next_variable, i++) {
                size_t c = p->req_cols[i % p->n_req_cols];
                const SnmpColumn *col = &snmp_columns[w->columns[c]];
                if (p->col_done[c])
                        continue;
                any = true;
                if (v->type == SNMP_ENDOFMIBVIEW || v->type == SNMP_NOSUCHOBJECT || v->type == SNMP_NOSUCHINSTANCE ||
                    v->name_length <= col->oid_len || v->name_length > MAX_OID_LEN) {
                        p->col_done[c] = true;
                        continue;
                }
                bool inside = true;
                for (size_t k = 0; k < col->oid_len; k++)
                        if (v->name[k] != col->oid[k])
                                inside = false;
                if (!inside) {
                        p->col_done[c] = true;
                        continue;
                }
                if (snmp_oid_compare(v->name, v->name_length, p->last[c], p->last_len[c]) <= 0) {
                        target_error(e, t, SNMP_ERR_LOOP, VW_LOG_WARNING,
                                     "%s: the agent returned a non-increasing OID; column walk stopped", col->name);
                        p->col_done[c] = true;
                        p->walk_clean = false;
                        continue;
                }
                memcpy(p->last[c], v->name, v->name_length * sizeof(oid));
                p->last_len[c] = v->name_length;
                p->col_rows[c]++;

                uint32_t oid_buf[SNMP_OID_MAX], val_buf[SNMP_OID_MAX];
                SnmpVarbind vb;
                SnmpErrorKind kind = _SNMP_ERR_MAX;
                if (varbind_convert(v, oid_buf, val_buf, &vb) < 0) {
                        p->col_done[c] = true;
                        continue;
                }
                int r = snmp_record_add(p->record, &vb, &kind);
                if (r == -E2BIG) {
                        target_error(e, t, SNMP_ERR_TOO_MANY_ROWS, VW_LOG_WARNING, "%s: more than %s (%zu) rows; rest skipped",
                                     col->name, col->hosts ? "max_host_rows" : "max_rows",
                                     col->hosts ? e->cfg->max_host_rows : e->cfg->max_rows);
                        p->col_done[c] = true;
                        p->walk_clean = false;
                } else if (r == -EBADMSG)
                        target_error(e, t, SNMP_ERR_WRONG_TYPE, VW_LOG_NOTICE, "%s has the wrong type (0x%02x); ignored",
                                     col->name, v->type);
        }
        if (!any)               /* an empty answer: nothing more will come */
                for (size_t k = 0; k < w->n_columns; k++)
                        p->col_done[k] = true;

        for (size_t k = 0; k < w->n_columns; k++)
                if (!p->col_done[k]) {
                        if (p->sized) {         /* the table grew: back to the budget */
                                p->sized = false;
                                p->repetitions = e->cfg->max_repetitions;
                        }
                        send_table(e, t);
                        return;
                }
        size_t rows = 0;
        for (size_t k = 0; k < w->n_columns; k++)
                if (p->col_rows[k] > rows)
                        rows = p->col_rows[k];
        t->walk_rows[p->walk] = p->walk_clean && rows < UINT32_MAX ? (uint32_t) rows + 1 : 0;
        poll_next_walk(e, t);
}

/* Which USM report, in words an operator can act on. */
static SnmpErrorKind report_kind(int err, const char **ret_text) {
        switch (err) {
        case SNMPERR_AUTHENTICATION_FAILURE:
        case SNMPERR_USM_AUTHENTICATIONFAILURE:
                *ret_text = "authentication failure: wrong auth password or auth protocol (usmStatsWrongDigests)";
                return SNMP_ERR_AUTH;
        case SNMPERR_UNKNOWN_USER_NAME:
        case SNMPERR_USM_UNKNOWNSECURITYNAME:
                *ret_text = "unknown user (usmStatsUnknownUserNames)";
                return SNMP_ERR_UNKNOWN_USER;
        case SNMPERR_DECRYPTION_ERR:
        case SNMPERR_USM_DECRYPTIONERROR:
                *ret_text = "decryption error: wrong priv password or priv protocol (usmStatsDecryptionErrors)";
                return SNMP_ERR_DECRYPT;
        case SNMPERR_UNSUPPORTED_SEC_LEVEL:
        case SNMPERR_USM_UNSUPPORTEDSECURITYLEVEL:
                *ret_text = "security level not supported for this user (usmStatsUnsupportedSecLevels)";
                return SNMP_ERR_SECURITY;
        case SNMPERR_NOT_IN_TIME_WINDOW:
        case SNMPERR_USM_NOTINTIMEWINDOW:
                *ret_text = "not in time window (usmStatsNotInTimeWindows)";
                return SNMP_ERR_SECURITY;
        default:
                *ret_text = NULL;
                return SNMP_ERR_SECURITY;
        }
}

/* SNMPv3 discovery without blocking: the first request goes out with an
 * empty engine ID; the agent's usmStatsUnknownEngineIDs report carries its
 * engine ID (and a notInTimeWindow report its boots/time, which net-snmp
 * records).  Store the ID in the session, let net-snmp localise the keys
 * for it, and send the step again. */
static bool v3_discovered(SnmpEngine *e, Target *t, netsnmp_session *session, netsnmp_pdu *pdu) {
        Poll *p = t->poll;
        int err = snmpv3_get_report_type(pdu);

        if (p->v3_resends >= 3)
                return false;
        if (err == SNMPERR_UNKNOWN_ENG_ID && session->securityEngineIDLen > 0) {
                /* net-snmp took the ID from the report already */
                session->flags &= ~SNMP_FLAGS_USER_CREATED;
        } else if (err == SNMPERR_UNKNOWN_ENG_ID && session->securityEngineIDLen == 0 && pdu->securityEngineIDLen > 0 &&
            pdu->securityEngineIDLen <= 32) {
                u_char *id = malloc(pdu->securityEngineIDLen), *ctx = malloc(pdu->securityEngineIDLen);
                if (!id || !ctx) {
                        free(id);
                        free(ctx);
                        return false;
                }
                memcpy(id, pdu->securityEngineID, pdu->securityEngineIDLen);
                memcpy(ctx, pdu->securityEngineID, pdu->securityEngineIDLen);
                session->securityEngineID = id;
                session->securityEngineIDLen = pdu->securityEngineIDLen;
                if (session->contextEngineIDLen == 0) {
                        session->contextEngineID = ctx;
                        session->contextEngineIDLen = pdu->securityEngineIDLen;
                } else
                        free(ctx);
                session->flags &= ~SNMP_FLAGS_USER_CREATED;
        } else if (err != SNMPERR_NOT_IN_TIME_WINDOW)
                return false;
        if (err == SNMPERR_UNKNOWN_ENG_ID) {
                /* what the blocking probe would have done next: the USM user
                 * with keys localised for this engine */
                session->flags &= ~SNMP_FLAGS_USER_CREATED;
                if (usm_create_user_from_session(session) != SNMPERR_SUCCESS)
                        return false;
        }
        p->v3_resends++;
        if (snmp_walks[p->walk].kind == WALK_GET)
                send_get(e, t);
        else
                send_table(e, t);
        return true;
}

static int poll_callback(int op, netsnmp_session *session, int reqid, netsnmp_pdu *pdu, void *magic) {
        Target *t = magic;
        SnmpEngine *e = session->myvoid;
        Poll *p = t->poll;

        /* a late or second call for a request already dealt with */
        if (!p || p->finished || reqid != p->reqid)
                return 1;
        if (op == NETSNMP_CALLBACK_OP_RESEND) {
                /* a retransmission is a request's timeout firing too */
                if (e->cycle_ok_before_first_timeout < 0)
                        e->cycle_ok_before_first_timeout = (int64_t) e->cycle_polls_ok;
                e->retransmits++;
                LOG(e, VW_LOG_DEBUG, "target %s: no answer within %u ms, retransmitting", t->key, e->cfg->timeout_ms);
                return 1;
        }
        p->reqid = 0;
        p->callback_ran = true;

        if (op == NETSNMP_CALLBACK_OP_TIMED_OUT) {
                uint64_t waited = (now_usec() - p->started) / USEC_PER_MSEC;
                if (e->cycle_ok_before_first_timeout < 0)
                        e->cycle_ok_before_first_timeout = (int64_t) e->cycle_polls_ok;
                if (p->system_ok) {
                        p->truncated = true;
                        target_error(e, t, SNMP_ERR_TRUNCATED, VW_LOG_WARNING,
                                     "%s: no answer within %u ms x %u tries; walk cut short", snmp_walks[p->walk].name,
                                     e->cfg->timeout_ms, e->cfg->retries + 1);
                        poll_finish(e, t, false);
                } else {
                        target_error(e, t, SNMP_ERR_TIMEOUT, t->failures == 0 ? VW_LOG_NOTICE : VW_LOG_DEBUG,
                                     "no answer (timeout after %" PRIu64 " ms, %u tries)", waited, e->cfg->retries + 1);
                        poll_finish(e, t, true);
                }
                return 1;
        }
        if ((op == NETSNMP_CALLBACK_OP_SEC_ERROR || op == NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE) && pdu &&
            pdu->command == SNMP_MSG_REPORT && v3_discovered(e, t, session, pdu))
                return 1;
        if (op == NETSNMP_CALLBACK_OP_SEC_ERROR ||
            (op == NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE && pdu && pdu->command == SNMP_MSG_REPORT)) {
                int err = pdu && pdu->command == SNMP_MSG_REPORT ? snmpv3_get_report_type(pdu) : session->s_snmp_errno;
                const char *text;
                SnmpErrorKind kind = report_kind(err, &text);
                if (text)
                        target_error(e, t, kind, VW_LOG_ERR, "user \"%s\": %s", t->group->user ? t->group->user : "",
                                     text);
                else
                        target_error(e, t, kind, VW_LOG_ERR, "security error: %s", snmp_api_errstring(err));
                poll_finish(e, t, true);
                return 1;
        }
        if (op != NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE || !pdu) {
                target_error(e, t, SNMP_ERR_SEND, VW_LOG_WARNING, "request failed (operation %d: %s)", op,
                             snmp_api_errstring(session->s_snmp_errno));
                poll_finish(e, t, true);
                return 1;
        }
        e->responses++;
        for (const netsnmp_variable_list *v = pdu->variables; v; v = v->next_variable)
                e->varbinds++;
        if (snmp_walks[p->walk].kind == WALK_GET)
                handle_get(e, t, pdu);
        else
                handle_table(e, t, pdu);
        return 1;
}

/* The request vanished inside net-snmp: say why if the session knows. */
static void poll_watchdog(SnmpEngine *e, Target *t) {
        Poll *p = t->poll;
        netsnmp_session *s = snmp_sess_session(p->sess);
        const char *text;
        SnmpErrorKind kind = report_kind(s ? s->s_snmp_errno : 0, &text);

        p->reqid = 0;
        if (e->cycle_ok_before_first_timeout < 0)
                e->cycle_ok_before_first_timeout = (int64_t) e->cycle_polls_ok;
        if (text)
                target_error(e, t, kind, VW_LOG_ERR, "user \"%s\": %s", t->group->user ? t->group->user : "", text);
        else if (s && s->version == SNMP_VERSION_3 && p->v3_resends > 0 && !p->system_ok)
                /* the agent answered discovery, then dropped every
                 * authenticated request: net-snmp discards its unauthenticated
                 * wrongDigests/decryption reports */
                target_error(e, t, SNMP_ERR_AUTH, VW_LOG_ERR,
                             "user \"%s\": authentication failure: the agent answers engine discovery but rejects the "
                             "authenticated requests (wrong auth/priv password or protocol; usmStatsWrongDigests)",
                             t->group->user ? t->group->user : "");
        else if (s && s->s_snmp_errno != 0 && s->version == SNMP_VERSION_3)
                target_error(e, t, SNMP_ERR_SECURITY, VW_LOG_ERR, "no usable answer: %s", snmp_api_errstring(s->s_snmp_errno));
        else
                target_error(e, t, SNMP_ERR_TIMEOUT, VW_LOG_NOTICE, "no answer (timeout, %u tries)", e->cfg->retries + 1);
        poll_finish(e, t, !p->system_ok);
}

/* ---- starting and ending polls ---- */

static int peername(const Target *t, char *buf, size_t size) {
        if (t->addr.family == AF_INET6)
                return snprintf(buf, size, "udp6:[%s]:%u", t->addr_text, t->port);
        return snprintf(buf, size, "udp:%s:%u", t->addr_text, t->port);
}

static void engine_after(SnmpEngine *e);

static int poll_start(SnmpEngine *e, Target *t) {
        const SnmpGroup *g = t->group;
        const GroupKeys *k = &e->keys[t->group_index];
        char peer[INET6_ADDRSTRLEN + 16];
        netsnmp_session s;
        Poll *p = calloc(1, sizeof(Poll));

        if (!p)
                return -ENOMEM;
        p->fd = -EBADF;
        p->epoll_fd = -1;
        SnmpRecordLimits limits = {
                .max_rows = e->cfg->max_rows,
                .max_host_rows = e->cfg->max_host_rows,
                .max_macs_per_access_port = e->cfg->max_macs_per_access_port,
        };
        if (snmp_record_new(&limits, &p->record) < 0) {
                free(p);
                return -ENOMEM;
        }
        t->poll = p;
        p->started = now_usec();

        peername(t, peer, sizeof peer);
        snmp_sess_init(&s);
        s.peername = peer;
        s.timeout = (long) e->cfg->timeout_ms * 1000;
        s.retries = (int) e->cfg->retries;
        s.myvoid = e;
        switch (g->version) {
        case SNMP_VERSION_V1:
        case SNMP_VERSION_V2C:
                s.version = g->version == SNMP_VERSION_V1 ? SNMP_VERSION_1 : SNMP_VERSION_2c;
                s.community = (u_char *) g->community;
                s.community_len = strlen(g->community);
                break;
        case SNMP_VERSION_V3:
                s.version = SNMP_VERSION_3;
                s.flags |= SNMP_FLAGS_DONT_PROBE;       /* discovery in-band, never a blocking probe */
                s.securityName = g->user;
                s.securityNameLen = strlen(g->user);
                s.securityModel = SNMP_SEC_MODEL_USM;
                if (g->context) {
                        s.contextName = g->context;
                        s.contextNameLen = strlen(g->context);
                }
                s.securityLevel = g->priv ? SNMP_SEC_LEVEL_AUTHPRIV : g->auth ? SNMP_SEC_LEVEL_AUTHNOPRIV
                                                                               : SNMP_SEC_LEVEL_NOAUTH;
                if (g->auth) {
                        s.securityAuthProto = g->auth == SNMP_AUTH_SHA256 ? usmHMAC192SHA256AuthProtocol : usmHMACSHA1AuthProtocol;
                        s.securityAuthProtoLen = USM_AUTH_PROTO_SHA_LEN;
                        memcpy(s.securityAuthKey, k->auth, k->auth_len);
                        s.securityAuthKeyLen = k->auth_len;
                }
                if (g->priv) {
                        s.securityPrivProto = usmAESPrivProtocol;
                        s.securityPrivProtoLen = USM_PRIV_PROTO_AES_LEN;
                        memcpy(s.securityPrivKey, k->priv, k->priv_len);
                        s.securityPrivKeyLen = k->priv_len;
                }
                break;
        }
        p->sess = snmp_sess_open(&s);
        explicit_bzero(s.securityAuthKey, sizeof s.securityAuthKey);
        explicit_bzero(s.securityPrivKey, sizeof s.securityPrivKey);
        if (!p->sess) {
                target_error(e, t, SNMP_ERR_SEND, VW_LOG_WARNING, "cannot open a session: %s", snmp_api_errstring(s.s_snmp_errno));
                return -EIO;
        }
        if (g->version == SNMP_VERSION_V3)
                /* snmp_sess_open() drops the flag on its copy, and without it
                 * the first send would run a blocking engine-ID probe; the
                 * discovery is done in-band instead (see v3_discovered()) */
                snmp_sess_session(p->sess)->flags |= SNMP_FLAGS_DONT_PROBE;
        netsnmp_transport *tr = snmp_sess_transport(p->sess);
        if (!tr || tr->sock < 0) {
                target_error(e, t, SNMP_ERR_SEND, VW_LOG_WARNING, "session without a socket");
                return -EIO;
        }
        p->fd = tr->sock;
        if (p->fd >= e->fdset_size && netsnmp_large_fd_set_resize(&e->fdset, p->fd + 1) == 0)
                return -ENOMEM;
        if (p->fd >= e->fdset_size)
                e->fdset_size = p->fd + 1;
        struct epoll_event ev = { .events = EPOLLIN, .data.ptr = t };
        if (epoll_ctl(e->epoll_fd, EPOLL_CTL_ADD, p->fd, &ev) < 0) {
                int r = -errno;
                LOG(e, VW_LOG_WARNING, "target %s: cannot watch its socket: %s", t->key, strerror(-r));
                return r;
        }
        p->epoll_fd = e->epoll_fd;
        p->walk = 0;
        send_get(e, t);
        return 0;
}

static void crawl_emit(const struct vw_observation *o, void *userdata);

typedef struct EmitCtx {
        SnmpEngine *e;
        Target *t;
} EmitCtx;

static void crawl_address(SnmpEngine *e, Target *from, const char *text) {
        SnmpAddr a;
        if (snmp_addr_parse(text, &a) < 0)
                return;
        if (!snmp_config_allows(e->cfg, &a)) {
                e->crawl_refused++;
                LOG(e, VW_LOG_DEBUG, "target %s: neighbour address %s is outside the configured prefixes; not crawled",
                    from->key, text);
                return;
        }
        const SnmpGroup *g = snmp_config_group_for(e->cfg, &a);
        if (!g)
                g = from->group;
        Target *t;
        int r = target_add(e, &a, g->port, g, ORIGIN_CRAWL, &t);
        if (r == -ENOSPC) {
                if (e->crawl_capped++ == 0)
                        LOG(e, VW_LOG_WARNING, "max_targets (%zu) reached; further neighbours are not crawled", e->cfg->max_targets);
                return;
        }
        if (r < 0)
                return;
        e->crawl_added++;
        LOG(e, VW_LOG_DEBUG, "target %s: crawling neighbour %s (group %s)", from->key, t->key, g->name);
        queue_push(e, t);
}

static void crawl_emit(const struct vw_observation *o, void *userdata) {
        EmitCtx *c = userdata;
        c->e->host->ops->observe(c->e->ctx, o);
        c->e->observations++;
        /* neighbours' management addresses are crawled, end hosts' are not */
        if (!c->e->cfg->crawl || strcmp(o->source, "snmp") == 0 || (o->kind && strcmp(o->kind, "host") == 0))
                return;
        for (size_t i = 0; i < o->n_addresses; i++)
                crawl_address(c->e, c->t, o->addresses[i]);
}

/* Tear down a finished poll (outside net-snmp's calls) and schedule the
 * target's next one. */
static void poll_reap(SnmpEngine *e, Target *t) {
        Poll *p = t->poll;
        uint64_t now = now_usec();
        bool ok = !p->failed && p->system_ok;

        /* drop it from the active set */
        size_t slot = t->active_slot;
        e->active[slot] = e->active[--e->n_active];
        e->active[slot]->active_slot = slot;
        t->state = TARGET_IDLE;
        t->polls++;

        if (ok) {
                EmitCtx c = { e, t };
                size_t n = snmp_record_emit(p->record, t->addr_text, crawl_emit, &c);
                const SnmpHostStats *hs = snmp_record_host_stats(p->record);
                e->fdb_hosts += hs->fdb_hosts;
                e->arp_hosts += hs->arp_hosts;
                e->arp_anonymous += hs->arp_anonymous;
                e->uplink_macs += hs->uplink_macs;
                e->uplink_ports += hs->uplink_ports;
                e->host_entries_skipped += hs->skipped;
                t->failures = 0;
                if (!p->truncated) {
                        t->logged = 0;
                        free(t->last_error);
                        t->last_error = NULL;
                }
                t->next_due = now + e->cfg->interval_usec;
                e->polls_ok++;
                e->cycle_polls_ok++;
                LOG(e, VW_LOG_DEBUG, "target %s: polled in %" PRIu64 " ms, %zu requests, %zu observations%s", t->key,
                    (now - p->started) / USEC_PER_MSEC, p->requests, n, p->truncated ? " (incomplete)" : "");
        } else {
                uint64_t backoff = e->cfg->backoff_initial_usec;
                for (unsigned i = 0; i < t->failures && backoff < e->cfg->backoff_max_usec; i++)
                        backoff *= 2;
                if (backoff > e->cfg->backoff_max_usec)
                        backoff = e->cfg->backoff_max_usec;
                t->failures++;
                t->next_due = now + backoff;
                e->polls_failed++;
                e->cycle_polls_failed++;
                LOG(e, VW_LOG_DEBUG, "target %s: poll failed (%u in a row); next try in %" PRIu64 " s", t->key, t->failures,
                    backoff / USEC_PER_SEC);
        }
        t->poll = NULL;
        poll_free(p);
}

/* ---- scheduling ---- */

static void queue_push(SnmpEngine *e, Target *t) {
        if (t->state != TARGET_IDLE)
                return;
        t->state = TARGET_QUEUED;
        t->queue_next = NULL;
        if (e->queue_tail)
                e->queue_tail->queue_next = t;
        else
                e->queue_head = t;
        e->queue_tail = t;
        e->n_queued++;
        if (!e->cycle_running) {
                e->cycle_running = true;
                e->cycle_started = now_usec();
                e->cycle_polls_ok = e->cycle_polls_failed = 0;
                e->cycle_ok_before_first_timeout = -1;
        }
}

static Target *queue_pop(SnmpEngine *e) {
        Target *t = e->queue_head;
        if (!t)
                return NULL;
        e->queue_head = t->queue_next;
        if (!e->queue_head)
                e->queue_tail = NULL;
        e->n_queued--;
        t->queue_next = NULL;
        return t;
}

static void dispatch(SnmpEngine *e) {
        while (e->n_active < e->concurrency) {
                Target *t = queue_pop(e);
                if (!t)
                        break;
                t->state = TARGET_ACTIVE;
                t->active_slot = e->n_active;
                e->active[e->n_active++] = t;
                if (poll_start(e, t) < 0) {
                        if (!t->poll) {         /* out of memory before the poll existed */
                                e->active[--e->n_active] = NULL;
                                t->state = TARGET_IDLE;
                                t->next_due = now_usec() + e->cfg->backoff_initial_usec;
                                break;
                        }
                        poll_finish(e, t, true);
                }
                /* a poll can end at once (send failure): reap it here */
                while (e->n_finished > 0)
                        poll_reap(e, e->finished[--e->n_finished]);
                if (t->poll)
                        poll_refresh(e, t);
        }
}

static void cycle_arm(SnmpEngine *e) {
        uint64_t next = UINT64_MAX;
        for (size_t i = 0; i < e->n_targets; i++)
                if (e->targets[i]->state == TARGET_IDLE && e->targets[i]->next_due < next)
                        next = e->targets[i]->next_due;
        if (next == UINT64_MAX) {
                sd_event_source_set_enabled(e->cycle_timer, SD_EVENT_OFF);
                return;
        }
        sd_event_source_set_time(e->cycle_timer, next);
        sd_event_source_set_enabled(e->cycle_timer, SD_EVENT_ONESHOT);
}

/* After every event: reap, refill, re-arm, and close the cycle. */
static void engine_after(SnmpEngine *e) {
        while (e->n_finished > 0)
                poll_reap(e, e->finished[--e->n_finished]);
        dispatch(e);
        if (e->cycle_running && e->n_active == 0 && e->n_queued == 0) {
                e->cycle_running = false;
                e->cycles++;
                e->last_cycle_usec = now_usec() - e->cycle_started;
                e->last_ok_before_first_timeout = e->cycle_ok_before_first_timeout;
                LOG(e, VW_LOG_INFO, "discovery cycle done in %.3f s: %" PRIu64 " targets answered, %" PRIu64 " did not",
                    (double) e->last_cycle_usec / 1e6, e->cycle_polls_ok, e->cycle_polls_failed);
                cycle_arm(e);
        }
}

/* One read per ready session socket, then one round of reaping/refilling. */
static int on_io(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        SnmpEngine *e = userdata;
        struct epoll_event evs[EPOLL_BATCH];

        int n = epoll_wait(e->epoll_fd, evs, EPOLL_BATCH, 0);
        for (int i = 0; i < n; i++) {
                Target *t = evs[i].data.ptr;
                Poll *p = t->poll;
                /* finished polls wait for engine_after() to be reaped: a late
                 * datagram for one stays unread until its socket closes */
                if (!p || !p->sess || p->finished)
                        continue;
                NETSNMP_LARGE_FD_SET(p->fd, &e->fdset);
                snmp_sess_read2(p->sess, &e->fdset);
                NETSNMP_LARGE_FD_CLR(p->fd, &e->fdset);
                poll_refresh(e, t);
        }
        engine_after(e);
        return 0;
}

static int on_snmp_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        SnmpEngine *e = userdata;
        uint64_t now = now_usec();

        e->snmp_timer_at = 0;
        /* walk a snapshot: timeouts finish polls, but reaping waits */
        for (size_t i = 0; i < e->n_active; i++) {
                Target *t = e->active[i];
                Poll *p = t->poll;
                if (!p || p->finished || p->deadline == 0 || p->deadline > now)
                        continue;
                snmp_sess_timeout(p->sess);     /* resends (OP_RESEND) or times out (OP_TIMED_OUT) */
                if (!p->finished && p->reqid != 0 && now >= p->watchdog)
                        poll_watchdog(e, t);
        }
        for (size_t i = 0; i < e->n_active; i++) {
                Poll *p = e->active[i]->poll;
                if (p && !p->finished)
                        poll_refresh(e, e->active[i]);
        }
        engine_after(e);
        return 0;
}

static int on_cycle_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        SnmpEngine *e = userdata;
        uint64_t now = now_usec();
        for (size_t i = 0; i < e->n_targets; i++)
                if (e->targets[i]->state == TARGET_IDLE && e->targets[i]->next_due <= now)
                        queue_push(e, e->targets[i]);
        engine_after(e);
        if (!e->cycle_running)
                cycle_arm(e);
        return 0;
}

/* ---- setup ---- */

static int netsnmp_init(SnmpEngine *e) {
        /* the newest instance's folder for whatever net-snmp keeps */
        netsnmp_ds_set_string(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_PERSISTENT_DIR, e->persistent_dir);
        if (netsnmp_ready)
                return 0;
        /* a library, not a tool: no config files, no MIB parsing noise, no
         * persistent state outside the folder we name */
        netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
        netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
        netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
        netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_PERSIST_STATE, 1);
        netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_MIB_ERRORS, 0);
        netsnmp_ds_set_int(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_MIB_WARNINGS, 0);
        netsnmp_ds_set_string(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_MIBDIRS, "");
        /* without a handler net-snmp falls back to stderr; its messages
         * (MIB modules it cannot find, created folders) are not ours to show */
        snmp_disable_log();
        netsnmp_register_loghandler(NETSNMP_LOGHANDLER_NONE, LOG_DEBUG);
        init_snmp("vendorwatch");
        netsnmp_ready = true;
        return 0;
}

static int make_keys(SnmpEngine *e) {
        e->keys = calloc(e->cfg->n_groups ? e->cfg->n_groups : 1, sizeof(GroupKeys));
        if (!e->keys)
                return -ENOMEM;
        for (size_t i = 0; i < e->cfg->n_groups; i++) {
                const SnmpGroup *g = &e->cfg->groups[i];
                GroupKeys *k = &e->keys[i];
                if (g->version != SNMP_VERSION_V3 || g->auth == SNMP_AUTH_NONE)
                        continue;
                const oid *proto = g->auth == SNMP_AUTH_SHA256 ? usmHMAC192SHA256AuthProtocol : usmHMACSHA1AuthProtocol;
                k->auth_len = sizeof k->auth;
                if (generate_Ku(proto, USM_AUTH_PROTO_SHA_LEN, (const u_char *) g->auth_password, strlen(g->auth_password),
                                k->auth, &k->auth_len) != SNMPERR_SUCCESS) {
                        LOG(e, VW_LOG_ERR, "group %s: cannot derive the auth key", g->name);
                        return -EINVAL;
                }
                if (g->priv == SNMP_PRIV_NONE)
                        continue;
                k->priv_len = sizeof k->priv;
                if (generate_Ku(proto, USM_AUTH_PROTO_SHA_LEN, (const u_char *) g->priv_password, strlen(g->priv_password),
                                k->priv, &k->priv_len) != SNMPERR_SUCCESS) {
                        LOG(e, VW_LOG_ERR, "group %s: cannot derive the priv key", g->name);
                        return -EINVAL;
                }
        }
        return 0;
}

/* Enough descriptors for `concurrency` sessions plus the daemon's own. */
static void raise_nofile(SnmpEngine *e) {
        struct rlimit rl;
        rlim_t need = (rlim_t) e->cfg->concurrency + FD_RESERVE;
        e->concurrency = e->cfg->concurrency;
        if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
                return;
        if (rl.rlim_cur >= need)
                return;
        struct rlimit want = { need, rl.rlim_max >= need ? rl.rlim_max : need };
        if (setrlimit(RLIMIT_NOFILE, &want) == 0)
                return;
        want.rlim_max = rl.rlim_max;
        want.rlim_cur = rl.rlim_max < need ? rl.rlim_max : need;
        if (setrlimit(RLIMIT_NOFILE, &want) < 0)
                want.rlim_cur = rl.rlim_cur;
        if (want.rlim_cur < need) {
                unsigned c = want.rlim_cur > FD_RESERVE + 16 ? (unsigned) (want.rlim_cur - FD_RESERVE) : 16;
                LOG(e, VW_LOG_WARNING, "RLIMIT_NOFILE is %llu, too low for concurrency %u; polling %u at a time",
                    (unsigned long long) want.rlim_cur, e->cfg->concurrency, c);
                e->concurrency = c;
        }
}

static void add_configured_targets(SnmpEngine *e) {
        for (size_t i = 0; i < e->cfg->n_groups; i++) {
                const SnmpGroup *g = &e->cfg->groups[i];
                for (size_t j = 0; j < g->n_seeds; j++) {
                        Target *t;
                        if (target_add(e, &g->seeds[j].addr, g->seeds[j].port ? g->seeds[j].port : g->port, g, ORIGIN_SEED, &t) >= 0)
                                queue_push(e, t);
                }
                for (size_t j = 0; j < g->n_sweep; j++) {
                        uint64_t n = snmp_prefix_hosts(&g->sweep[j]);
                        for (uint64_t h = 0; h < n; h++) {
                                SnmpAddr a;
                                Target *t;
                                if (snmp_prefix_host(&g->sweep[j], h, &a) < 0)
                                        break;
                                int r = target_add(e, &a, g->port, g, ORIGIN_SWEEP, &t);
                                if (r == -ENOSPC) {
                                        LOG(e, VW_LOG_WARNING, "max_targets (%zu) reached while adding sweep targets", e->cfg->max_targets);
                                        return;
                                }
                                if (r >= 0)
                                        queue_push(e, t);
                        }
                }
        }
}

int snmp_engine_new(const struct vw_host *host, struct vw_plugin_ctx *ctx, SnmpConfig *cfg, SnmpEngine **ret) {
        SnmpEngine *e = calloc(1, sizeof(SnmpEngine));
        int r;

        if (!e) {
                snmp_config_free(cfg);
                return -ENOMEM;
        }
        e->host = host;
        e->ctx = ctx;
        e->cfg = cfg;
        e->event = sd_event_ref(host->event);
        e->last_ok_before_first_timeout = -1;
        e->cycle_ok_before_first_timeout = -1;
        e->epoll_fd = -1;

        if (cfg->persistent_dir)
                e->persistent_dir = strdup(cfg->persistent_dir);
        else {
                const char *state = getenv("STATE_DIRECTORY");
                if (asprintf(&e->persistent_dir, "%s/snmp", state ? state : "/var/lib/vendorwatch") < 0)
                        e->persistent_dir = NULL;
        }
        if (!e->persistent_dir) {
                snmp_engine_free(e);
                return -ENOMEM;
        }
        (void) mkdir(e->persistent_dir, 0700);

        raise_nofile(e);
        e->active = calloc(e->concurrency, sizeof(Target *));
        e->finished = calloc(e->concurrency + 1, sizeof(Target *));
        if (!e->active || !e->finished) {
                snmp_engine_free(e);
                return -ENOMEM;
        }
        netsnmp_init(e);
        e->fdset_size = 1024;
        netsnmp_large_fd_set_init(&e->fdset, e->fdset_size);
        NETSNMP_LARGE_FD_ZERO(&e->fdset);
        if ((r = make_keys(e)) < 0) {
                snmp_engine_free(e);
                return r;
        }

        e->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
        r = e->epoll_fd < 0 ? -errno : sd_event_add_io(e->event, &e->io, e->epoll_fd, EPOLLIN, on_io, e);
        if (r >= 0)
                r = sd_event_add_time(e->event, &e->snmp_timer, CLOCK_MONOTONIC, UINT64_MAX, USEC_PER_MSEC, on_snmp_timer, e);
        if (r >= 0)
                r = sd_event_source_set_enabled(e->snmp_timer, SD_EVENT_OFF);
        if (r >= 0)
                r = sd_event_add_time(e->event, &e->cycle_timer, CLOCK_MONOTONIC, UINT64_MAX, USEC_PER_SEC, on_cycle_timer, e);
        if (r >= 0)
                r = sd_event_source_set_enabled(e->cycle_timer, SD_EVENT_OFF);
        if (r < 0) {
                LOG(e, VW_LOG_ERR, "cannot set up its event sources: %s", strerror(-r));
                snmp_engine_free(e);
                return r;
        }

        add_configured_targets(e);
        LOG(e, VW_LOG_INFO, "%zu targets in %zu groups, concurrency %u, timeout %u ms x %u tries, interval %" PRIu64 " s",
            e->n_targets, cfg->n_groups, e->concurrency, cfg->timeout_ms, cfg->retries + 1, cfg->interval_usec / USEC_PER_SEC);
        /* start from the loop, not from inside start() */
        sd_event_source_set_time(e->cycle_timer, 0);
        sd_event_source_set_enabled(e->cycle_timer, SD_EVENT_ONESHOT);
        *ret = e;
        return 0;
}

static void noop_free(void *p) {
        (void) p;
}

SnmpEngine *snmp_engine_free(SnmpEngine *e) {
        if (!e)
                return NULL;
        sd_event_source_disable_unref(e->snmp_timer);
        sd_event_source_disable_unref(e->cycle_timer);
        tdestroy(e->index, noop_free);
        for (size_t i = 0; i < e->n_targets; i++)
                target_free(e->targets[i]);
        free(e->targets);
        sd_event_source_disable_unref(e->io);
        if (e->epoll_fd >= 0)
                close(e->epoll_fd);
        free(e->active);
        free(e->finished);
        if (e->keys) {
                explicit_bzero(e->keys, (e->cfg->n_groups ? e->cfg->n_groups : 1) * sizeof(GroupKeys));
                free(e->keys);
        }
        if (e->fdset_size > 0)
                netsnmp_large_fd_set_cleanup(&e->fdset);
        if (netsnmp_ready)
                /* net-snmp keeps the USM users it localised (keys included)
                 * for the process: drop them, or the next instance (a reload
                 * with a corrected password) would reuse the old keys */
                for (struct usmUser *u = usm_get_userList(), *next; u; u = next) {
                        next = u->next;
                        usm_remove_user(u);
                        usm_free_user(u);
                }
        snmp_config_free(e->cfg);
        free(e->persistent_dir);
        sd_event_unref(e->event);
        free(e);
        return NULL;
}

/* ---- control ---- */

int snmp_engine_rescan(SnmpEngine *e, const char *target) {
        if (!target) {
                for (size_t i = 0; i < e->n_targets; i++) {
                        e->targets[i]->next_due = 0;
                        queue_push(e, e->targets[i]);
                }
                engine_after(e);
                return 0;
        }
        SnmpAddr a;
        uint16_t port;
        if (snmp_target_parse(target, &a, &port) < 0)
                return -EINVAL;
        const SnmpGroup *g = snmp_config_group_for(e->cfg, &a);
        Target *t = NULL;
        if (port == 0)
                port = g ? g->port : 161;
        t = target_find(e, &a, port);
        if (!t) {
                if (!g && e->cfg->n_groups > 0 && snmp_config_allows(e->cfg, &a))
                        g = &e->cfg->groups[0];
                if (!g)
                        return -ENOENT;         /* outside the operator's address space */
                int r = target_add(e, &a, port, g, ORIGIN_RESCAN, &t);
                if (r < 0)
                        return r;
        }
        t->next_due = 0;
        queue_push(e, t);
        engine_after(e);
        return 0;
}

char *snmp_engine_status(SnmpEngine *e) {
        json_object *j = json_object_new_object(), *errs = json_object_new_object(), *list = json_object_new_array();
        size_t by_state[3] = {}, by_origin[ELEMENTSOF(origin_names)] = {}, failing = 0;

        for (size_t i = 0; i < e->n_targets; i++) {
                Target *t = e->targets[i];
                by_state[t->state]++;
                by_origin[t->origin]++;
                if (t->failures > 0)
                        failing++;
                if (t->last_error && json_object_array_length(list) < TARGET_ERRORS_SHOWN) {
                        json_object *o = json_object_new_object();
                        json_object_object_add(o, "target", json_object_new_string(t->key));
                        json_object_object_add(o, "group", json_object_new_string(t->group->name));
                        json_object_object_add(o, "kind", json_object_new_string(snmp_error_kind_name(t->last_error_kind)));
                        json_object_object_add(o, "error", json_object_new_string(t->last_error));
                        json_object_object_add(o, "failures", json_object_new_int64(t->failures));
                        json_object_array_add(list, o);
                }
        }
        json_object_object_add(j, "targets", json_object_new_int64((int64_t) e->n_targets));
        json_object_object_add(j, "targets_failing", json_object_new_int64((int64_t) failing));
        for (size_t i = 0; i < ELEMENTSOF(origin_names); i++) {
                char key[32];
                snprintf(key, sizeof key, "targets_%s", origin_names[i]);
                json_object_object_add(j, key, json_object_new_int64((int64_t) by_origin[i]));
        }
        json_object_object_add(j, "queued", json_object_new_int64((int64_t) e->n_queued));
        json_object_object_add(j, "in_flight", json_object_new_int64((int64_t) e->n_active));
        json_object_object_add(j, "concurrency", json_object_new_int64(e->concurrency));
        json_object_object_add(j, "cycle_running", json_object_new_boolean(e->cycle_running));
        json_object_object_add(j, "cycles", json_object_new_int64((int64_t) e->cycles));
        json_object_object_add(j, "last_cycle_sec", json_object_new_double((double) e->last_cycle_usec / 1e6));
        json_object_object_add(j, "last_cycle_ok_before_first_timeout", json_object_new_int64(e->last_ok_before_first_timeout));
        json_object_object_add(j, "cycle_ok_before_first_timeout", json_object_new_int64(e->cycle_ok_before_first_timeout));
        json_object_object_add(j, "polls_ok", json_object_new_int64((int64_t) e->polls_ok));
        json_object_object_add(j, "polls_failed", json_object_new_int64((int64_t) e->polls_failed));
        json_object_object_add(j, "requests", json_object_new_int64((int64_t) e->requests));
        json_object_object_add(j, "responses", json_object_new_int64((int64_t) e->responses));
        json_object_object_add(j, "varbinds", json_object_new_int64((int64_t) e->varbinds));
        json_object_object_add(j, "retransmits", json_object_new_int64((int64_t) e->retransmits));
        json_object_object_add(j, "timeouts", json_object_new_int64((int64_t) e->errors[SNMP_ERR_TIMEOUT]));
        json_object_object_add(j, "observations", json_object_new_int64((int64_t) e->observations));
        json_object_object_add(j, "crawl_added", json_object_new_int64((int64_t) e->crawl_added));
        json_object_object_add(j, "crawl_refused", json_object_new_int64((int64_t) e->crawl_refused));
        json_object_object_add(j, "fdb_hosts", json_object_new_int64((int64_t) e->fdb_hosts));
        json_object_object_add(j, "arp_hosts", json_object_new_int64((int64_t) e->arp_hosts));
        json_object_object_add(j, "arp_anonymous", json_object_new_int64((int64_t) e->arp_anonymous));
        json_object_object_add(j, "uplink_macs", json_object_new_int64((int64_t) e->uplink_macs));
        json_object_object_add(j, "uplink_ports", json_object_new_int64((int64_t) e->uplink_ports));
        json_object_object_add(j, "host_entries_skipped", json_object_new_int64((int64_t) e->host_entries_skipped));
        for (size_t k = 0; k < _SNMP_ERR_MAX; k++)
                json_object_object_add(errs, snmp_error_kind_name(k), json_object_new_int64((int64_t) e->errors[k]));
        json_object_object_add(j, "errors", errs);
        json_object_object_add(j, "target_errors", list);

        char *s = strdup(json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN));
        json_object_put(j);
        return s;
}
