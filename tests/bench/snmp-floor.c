/* SPDX-License-Identifier: MIT */
/*
 * snmp-floor: the least a client can do to make the SNMP plugin's requests.
 *
 * It walks the plugin's own plan (snmp_walks[] from plugins/snmp/snmp-mib.c)
 * against every agent of a list, v2c, `concurrency` agents at a time, with
 * net-snmp's classic session list and one select() loop: no event library,
 * no parsing of the answers beyond what the walk needs, no inventory.  Its
 * wall time is the floor the daemon's discovery cycle is compared with.
 *
 *   snmp-floor [-c CONCURRENCY] [-t TIMEOUT_MS] [-r RETRIES] [-R MAX_REPETITIONS]
 *              [-l REQUESTS.txt] [-s SIZES.txt] AGENTS.txt
 *
 * AGENTS.txt: "ADDRESS:PORT COMMUNITY" lines.  With -l every request is
 * written as "ADDRESS:PORT COMMUNITY get|bulk REPS OID…", so the same
 * requests can be replayed by snmpget/snmpbulkget.
 *
 * Like the plugin, it sizes a table walk's first GETBULK by the rows the
 * previous poll of that agent saw (see walk_repetitions() in
 * snmp-engine.c) and skips a fallback table when the one before it had
 * rows.  The plugin remembers the rows between cycles; the floor keeps them
 * in SIZES.txt (-s: read when it exists, written at the end), so a floor run
 * after a warm-up run makes the requests of the daemon's second cycle.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/library/large_fd_set.h>

#include "snmp-mib.h"

typedef struct Agent {
        char *peer;
        char *community;
        netsnmp_session *sess;
        size_t walk;
        bool col_done[SNMP_WALK_COLUMNS_MAX];
        oid last[SNMP_WALK_COLUMNS_MAX][MAX_OID_LEN];
        size_t last_len[SNMP_WALK_COLUMNS_MAX];
        size_t req_cols[SNMP_WALK_COLUMNS_MAX];
        size_t n_req_cols;
        size_t col_rows[SNMP_WALK_COLUMNS_MAX];
        unsigned repetitions;
        bool sized, walk_clean;
        uint32_t walk_rows[SNMP_WALKS_MAX];     /* rows + 1 at the end of the last clean walk; 0 = unknown */
        bool done, failed;
} Agent;

static unsigned max_reps = 24;
static FILE *req_log;
static size_t n_active, n_ok, n_failed, n_requests, n_varbinds;

static void finish(Agent *a, bool failed) {
        a->done = true;
        a->failed = failed;
        n_active--;
        if (failed)
                n_failed++;
        else
                n_ok++;
}

static void log_request(const Agent *a, const netsnmp_pdu *pdu) {
        if (!req_log)
                return;
        fprintf(req_log, "%s %s %s %ld", a->peer, a->community, pdu->command == SNMP_MSG_GET ? "get" : "bulk",
                pdu->command == SNMP_MSG_GET ? 0L : pdu->max_repetitions);
        for (const netsnmp_variable_list *v = pdu->variables; v; v = v->next_variable) {
                fputc(' ', req_log);
                for (size_t i = 0; i < v->name_length; i++)
                        fprintf(req_log, "%s%lu", i ? "." : "", (unsigned long) v->name[i]);
        }
        fputc('\n', req_log);
}

static int callback(int op, netsnmp_session *s, int reqid, netsnmp_pdu *pdu, void *magic);

static void send_pdu(Agent *a, netsnmp_pdu *pdu) {
        log_request(a, pdu);
        n_requests++;
        if (snmp_async_send(a->sess, pdu, callback, a) == 0) {
                snmp_free_pdu(pdu);
                finish(a, true);
        }
}

static void send_table(Agent *a) {
        const SnmpWalk *w = &snmp_walks[a->walk];
        netsnmp_pdu *pdu = snmp_pdu_create(SNMP_MSG_GETBULK);
        a->n_req_cols = 0;
        for (size_t i = 0; i < w->n_columns; i++)
                if (!a->col_done[i]) {
                        a->req_cols[a->n_req_cols++] = i;
                        snmp_add_null_var(pdu, a->last[i], a->last_len[i]);
                }
        unsigned reps = a->repetitions / (unsigned) a->n_req_cols;
        pdu->non_repeaters = 0;
        pdu->max_repetitions = reps ? reps : 1;
        send_pdu(a, pdu);
}

static void next_walk(Agent *a) {
        /* a fallback table only when the one before it gave no rows */
        size_t prev_rows = a->walk > 0 ? a->col_rows[0] : 0;
        do
                a->walk++;
        while (a->walk < snmp_n_walks && snmp_walks[a->walk].fallback && prev_rows > 0);
        if (a->walk >= snmp_n_walks) {
                finish(a, false);
                return;
        }
        const SnmpWalk *w = &snmp_walks[a->walk];
        uint64_t want = (uint64_t) a->walk_rows[a->walk] * w->n_columns;
        a->sized = a->walk_rows[a->walk] > 0 && want <= 2 * (uint64_t) max_reps;
        a->repetitions = a->sized ? (unsigned) want : max_reps;
        a->walk_clean = true;
        for (size_t i = 0; i < w->n_columns; i++) {
                const SnmpColumn *c = &snmp_columns[w->columns[i]];
                a->col_done[i] = false;
                a->col_rows[i] = 0;
                for (size_t k = 0; k < c->oid_len; k++)
                        a->last[i][k] = c->oid[k];
                a->last_len[i] = c->oid_len;
        }
        send_table(a);
}

static void send_get(Agent *a) {
        const SnmpWalk *w = &snmp_walks[0];
        netsnmp_pdu *pdu = snmp_pdu_create(SNMP_MSG_GET);
        for (size_t i = 0; i < w->n_columns; i++) {
                const SnmpColumn *c = &snmp_columns[w->columns[i]];
                oid o[MAX_OID_LEN];
                for (size_t k = 0; k < c->oid_len; k++)
                        o[k] = c->oid[k];
                snmp_add_null_var(pdu, o, c->oid_len);
        }
        send_pdu(a, pdu);
}

static void handle_table(Agent *a, netsnmp_pdu *pdu) {
        const SnmpWalk *w = &snmp_walks[a->walk];
        size_t i = 0;
        bool any = false;
        if (pdu->errstat != SNMP_ERR_NOERROR) {
                a->walk_rows[a->walk] = 0;
                a->col_rows[0] = 0;
                next_walk(a);
                return;
        }
        for (netsnmp_variable_list *v = pdu->variables; v; v = v->next_variable, i++) {
                size_t c = a->req_cols[i % a->n_req_cols];
                const SnmpColumn *col = &snmp_columns[w->columns[c]];
                if (a->col_done[c])
                        continue;
                any = true;
                bool inside = v->type != SNMP_ENDOFMIBVIEW && v->type != SNMP_NOSUCHOBJECT && v->type != SNMP_NOSUCHINSTANCE &&
                              v->name_length > col->oid_len && v->name_length <= MAX_OID_LEN;
                for (size_t k = 0; inside && k < col->oid_len; k++)
                        inside = v->name[k] == col->oid[k];
                if (!inside) {
                        a->col_done[c] = true;
                        continue;
                }
                if (snmp_oid_compare(v->name, v->name_length, a->last[c], a->last_len[c]) <= 0) {
                        a->col_done[c] = true;
                        a->walk_clean = false;
                        continue;
                }
                memcpy(a->last[c], v->name, v->name_length * sizeof(oid));
                a->last_len[c] = v->name_length;
                a->col_rows[c]++;
        }
        if (!any)
                for (size_t k = 0; k < w->n_columns; k++)
                        a->col_done[k] = true;
        for (size_t k = 0; k < w->n_columns; k++)
                if (!a->col_done[k]) {
                        if (a->sized) {
                                a->sized = false;
                                a->repetitions = max_reps;
                        }
                        send_table(a);
                        return;
                }
        size_t rows = 0;
        for (size_t k = 0; k < w->n_columns; k++)
                if (a->col_rows[k] > rows)
                        rows = a->col_rows[k];
        a->walk_rows[a->walk] = a->walk_clean ? (uint32_t) rows + 1 : 0;
        next_walk(a);
}

static int callback(int op, netsnmp_session *s, int reqid, netsnmp_pdu *pdu, void *magic) {
        Agent *a = magic;
        (void) s, (void) reqid;
        if (op != NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE || !pdu) {
                finish(a, true);
                return 1;
        }
        for (const netsnmp_variable_list *v = pdu->variables; v; v = v->next_variable)
                n_varbinds++;
        if (a->walk == 0)
                next_walk(a);
        else
                handle_table(a, pdu);
        return 1;
}

static int start(Agent *a, long timeout_us, int retries) {
        netsnmp_session s;
        snmp_sess_init(&s);
        s.peername = a->peer;
        s.version = SNMP_VERSION_2c;
        s.community = (u_char *) a->community;
        s.community_len = strlen(a->community);
        s.timeout = timeout_us;
        s.retries = retries;
        a->sess = snmp_open(&s);
        if (!a->sess)
                return -EIO;
        n_active++;
        a->walk = 0;
        a->col_rows[0] = 0;
        send_get(a);
        return 0;
}

/* SIZES.txt: "ADDRESS:PORT" and the rows + 1 of every walk, one agent a line. */
static void sizes_read(const char *path, Agent *agents, size_t n) {
        FILE *f = fopen(path, "re");
        char peer[256];
        if (!f)
                return;
        for (size_t i = 0; i < n && fscanf(f, "%255s", peer) == 1; i++)
                for (size_t w = 0; w < SNMP_WALKS_MAX; w++) {
                        unsigned long v = 0;
                        if (fscanf(f, "%lu", &v) != 1)
                                break;
                        if (strcmp(peer, agents[i].peer) == 0)
                                agents[i].walk_rows[w] = (uint32_t) v;
                }
        fclose(f);
}

static int sizes_write(const char *path, const Agent *agents, size_t n) {
        FILE *f = fopen(path, "we");
        if (!f)
                return -errno;
        for (size_t i = 0; i < n; i++) {
                fputs(agents[i].peer, f);
                for (size_t w = 0; w < SNMP_WALKS_MAX; w++)
                        fprintf(f, " %lu", (unsigned long) agents[i].walk_rows[w]);
                fputc('\n', f);
        }
        return fclose(f) == 0 ? 0 : -errno;
}

static double now(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
        unsigned concurrency = 256, timeout_ms = 1000;
        int retries = 1, c;
        const char *sizes = NULL;
        while ((c = getopt(argc, argv, "c:t:r:R:l:s:")) >= 0)
                switch (c) {
                case 'c': concurrency = (unsigned) strtoul(optarg, NULL, 10); break;
                case 't': timeout_ms = (unsigned) strtoul(optarg, NULL, 10); break;
                case 'r': retries = atoi(optarg); break;
                case 'R': max_reps = (unsigned) strtoul(optarg, NULL, 10); break;
                case 's': sizes = optarg; break;
                case 'l':
                        if (!(req_log = fopen(optarg, "we"))) {
                                perror(optarg);
                                return 1;
                        }
                        break;
                default:
                        fprintf(stderr, "usage: %s [-c N] [-t MS] [-r N] [-R N] [-l REQUESTS] [-s SIZES] AGENTS\n", argv[0]);
                        return 2;
                }
        if (optind >= argc || concurrency == 0) {
                fprintf(stderr, "usage: %s [-c N] [-t MS] [-r N] [-R N] [-l REQUESTS] [-s SIZES] AGENTS\n", argv[0]);
                return 2;
        }
        FILE *f = fopen(argv[optind], "re");
        if (!f) {
                perror(argv[optind]);
                return 1;
        }
        Agent *agents = NULL;
        size_t n = 0, cap = 0;
        char peer[256], comm[256];
        while (fscanf(f, "%255s %255s", peer, comm) == 2) {
                if (n == cap && !(agents = realloc(agents, (cap = cap ? 2 * cap : 1024) * sizeof(Agent))))
                        return 1;
                agents[n] = (Agent) { .peer = strdup(peer), .community = strdup(comm) };
                n++;
        }
        fclose(f);
        if (sizes)
                sizes_read(sizes, agents, n);

        struct rlimit rl = { concurrency + 64, concurrency + 64 };
        (void) setrlimit(RLIMIT_NOFILE, &rl);
        netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
        netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
        netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
        netsnmp_ds_set_string(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_MIBDIRS, "");
        snmp_disable_log();
        init_snmp("snmp-floor");

        netsnmp_large_fd_set fds;
        netsnmp_large_fd_set_init(&fds, (int) concurrency + 64);
        double t0 = now();
        size_t next = 0;
        while (next < n || n_active > 0) {
                while (next < n && n_active < concurrency)
                        if (start(&agents[next++], (long) timeout_ms * 1000, retries) < 0)
                                n_failed++;
                /* close finished sessions outside net-snmp's calls */
                for (size_t i = 0; i < next; i++)
                        if (agents[i].done && agents[i].sess) {
                                snmp_close(agents[i].sess);
                                agents[i].sess = NULL;
                        }
                if (n_active == 0)
                        continue;
                int numfds = 0, block = 1;
                struct timeval tv = {}, *tvp = &tv;
                NETSNMP_LARGE_FD_ZERO(&fds);
                snmp_select_info2(&numfds, &fds, tvp, &block);
                if (block)
                        tvp = NULL;
                int r = netsnmp_large_fd_set_select(numfds, &fds, NULL, NULL, tvp);
                if (r > 0)
                        snmp_read2(&fds);
                else if (r == 0)
                        snmp_timeout();
                else if (errno != EINTR) {
                        perror("select");
                        return 1;
                }
        }
        double t = now() - t0;
        for (size_t i = 0; i < n; i++)
                if (agents[i].sess)
                        snmp_close(agents[i].sess);
        printf("{\"agents\": %zu, \"ok\": %zu, \"failed\": %zu, \"requests\": %zu, \"varbinds\": %zu, \"seconds\": %.4f}\n", n, n_ok,
               n_failed, n_requests, n_varbinds, t);
        if (req_log)
                fclose(req_log);
        if (sizes && sizes_write(sizes, agents, n) < 0)
                perror(sizes);
        netsnmp_large_fd_set_cleanup(&fds);
        snmp_shutdown("snmp-floor");
        for (size_t i = 0; i < n; i++)
                free(agents[i].peer), free(agents[i].community);
        free(agents);
        return n_failed > 0;
}
