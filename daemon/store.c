/* SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <inttypes.h>
#include <malloc.h>
#include <poll.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <systemd/sd-event.h>
#include <time.h>

#include "log.h"
#include "namemap.h"
#include "store-internal.h"

#define DEFAULT_RETENTION_DAYS 365
#define DEFAULT_MAX_SIZE (1024ull * 1024 * 1024)
#define DEFAULT_FLUSH_MSEC 100
#define PRUNE_INTERVAL_USEC (3600ull * 1000000)
#define RETRY_MSEC 1000         /* after a failed batch (disk full…), unless a sync asks sooner */

/* Schema migrations: entry i takes user_version i to i+1. */
static const char *const migrations[] = {
        /* 0 -> 1 */
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
        "CREATE TABLE devices (id TEXT PRIMARY KEY, kind TEXT NOT NULL, first_seen INTEGER NOT NULL,"
        "  last_seen INTEGER NOT NULL, vendor TEXT, role TEXT, segment TEXT, violation INTEGER NOT NULL DEFAULT 0,"
        "  data TEXT NOT NULL);"
        "CREATE TABLE alerts (id INTEGER PRIMARY KEY, key TEXT NOT NULL, kind TEXT NOT NULL, subject TEXT NOT NULL,"
        "  open INTEGER NOT NULL, raised INTEGER NOT NULL, cleared INTEGER NOT NULL DEFAULT 0, data TEXT NOT NULL);"
        "CREATE INDEX alerts_open ON alerts (open);"
        "CREATE TABLE waivers (device TEXT PRIMARY KEY, until INTEGER NOT NULL, reason TEXT NOT NULL,"
        "  origin TEXT NOT NULL, created INTEGER NOT NULL);",
        /* 1 -> 2: topology and the alert history */
        "CREATE TABLE links (local TEXT NOT NULL, local_port TEXT NOT NULL, remote TEXT NOT NULL,"
        "  remote_port TEXT NOT NULL, source TEXT, last_seen INTEGER NOT NULL,"
        "  PRIMARY KEY (local, local_port, remote, remote_port));"
        "CREATE TABLE alert_history (seq INTEGER PRIMARY KEY AUTOINCREMENT, alert INTEGER NOT NULL,"
        "  event TEXT NOT NULL, time INTEGER NOT NULL, data TEXT NOT NULL);"
        "CREATE INDEX alert_history_time ON alert_history (time);",
        /* 2 -> 3: observations as "time<TAB>json" lines, parsed once on restore */
        "ALTER TABLE devices ADD COLUMN obs TEXT;",
        /* 3 -> 4: a link is (local, local port, remote), its remote port the
         * latest one seen, as in the inventory */
        "CREATE TABLE links4 (local TEXT NOT NULL, local_port TEXT NOT NULL, remote TEXT NOT NULL,"
        "  remote_port TEXT NOT NULL, source TEXT, last_seen INTEGER NOT NULL,"
        "  PRIMARY KEY (local, local_port, remote));"
        "INSERT OR REPLACE INTO links4 SELECT local, local_port, remote, remote_port, source, last_seen"
        "  FROM links ORDER BY last_seen;"
        "DROP TABLE links;"
        "ALTER TABLE links4 RENAME TO links;",
};
#define SCHEMA_VERSION ((int) ELEMENTSOF(migrations))

static uint64_t now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        return (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u;
}

int store_set_error(char **ret_error, const char *fmt, ...) {
        if (ret_error) {
                va_list ap;
                va_start(ap, fmt);
                if (vasprintf(ret_error, fmt, ap) < 0)
                        *ret_error = NULL;
                va_end(ap);
        }
        return -EIO;
}

/* Primary SQLite result codes: the errno we report, and the name an
 * operator can search for. */
static const struct {
        int code;
        int error;
        const char *name;
} sqlite_codes[] = {
        { SQLITE_NOMEM, -ENOMEM, "SQLITE_NOMEM" },
        { SQLITE_READONLY, -EACCES, "SQLITE_READONLY" },
        { SQLITE_PERM, -EACCES, "SQLITE_PERM" },
        { SQLITE_AUTH, -EACCES, "SQLITE_AUTH" },
        { SQLITE_CORRUPT, -EBADMSG, "SQLITE_CORRUPT" },
        { SQLITE_NOTADB, -EBADMSG, "SQLITE_NOTADB" },
        { SQLITE_FULL, -ENOSPC, "SQLITE_FULL" },
        { SQLITE_BUSY, -EBUSY, "SQLITE_BUSY" },
        { SQLITE_LOCKED, -EBUSY, "SQLITE_LOCKED" },
        { SQLITE_CANTOPEN, -ENOENT, "SQLITE_CANTOPEN" },
        { SQLITE_IOERR, -EIO, "SQLITE_IOERR" },
};

static int errno_from_sqlite(int rc) {
        for (size_t i = 0; i < ELEMENTSOF(sqlite_codes); i++)
                if (sqlite_codes[i].code == (rc & 0xff))
                        return sqlite_codes[i].error;
        return -EIO;
}

static const char *sqlite_code_name(int rc) {
        for (size_t i = 0; i < ELEMENTSOF(sqlite_codes); i++)
                if (sqlite_codes[i].code == (rc & 0xff))
                        return sqlite_codes[i].name;
        return "SQLite error";
}

#define OP_STRINGS 8

/* The op's string members, for the code that frees or copies all of them. */
static void op_strings(Op *o, char **ret[static OP_STRINGS]) {
        char **l[OP_STRINGS] = { &o->key, &o->data, &o->s1, &o->s2, &o->s3, &o->s4, &o->obs, &o->ckey };
        memcpy(ret, l, sizeof l);
}

static void op_free(Op *o) {
        if (!o)
                return;
        if (o->spooled) {
                spool_free(o);
                return;
        }
        if (!o->packed) {
                char **fields[OP_STRINGS];
                op_strings(o, fields);
                for (size_t i = 0; i < OP_STRINGS; i++)
                        free(*fields[i]);
        }
        free(o);
}

/* The op and its strings in one block, in the store's spool: a queued op
 * lives until its batch is written while the inventory keeps allocating, and
 * in the heap a burst of them would leave holes the inventory grew around.
 * Returns the packed op (the original is freed), or the original when there
 * is no memory for the copy. */
static Op *op_pack(Store *s, Op *o) {
        char **fields[OP_STRINGS];
        op_strings(o, fields);
        size_t size = sizeof(Op);
        for (size_t i = 0; i < OP_STRINGS; i++)
                if (*fields[i])
                        size += strlen(*fields[i]) + 1;
        Op *p = s->spool ? spool_alloc(s->spool, size) : NULL;
        bool spooled = p;
        if (!p)
                p = malloc(size);
        if (!p)
                return o;
        *p = *o;
        p->packed = true;
        p->spooled = spooled;
        char *at = (char *) (p + 1);
        char **to[OP_STRINGS];
        op_strings(p, to);
        for (size_t i = 0; i < OP_STRINGS; i++) {
                if (!*fields[i])
                        continue;
                size_t n = strlen(*fields[i]) + 1;
                *to[i] = memcpy(at, *fields[i], n);
                at += n;
        }
        op_free(o);
        return p;
}

static int exec(sqlite3 *db, const char *sql) {
        int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
        return rc == SQLITE_OK ? 0 : errno_from_sqlite(rc);
}

/* --- open, check, migrate --------------------------------------------------- */

static int db_open(const char *path, sqlite3 **ret, char **ret_error) {
        sqlite3 *db = NULL;
        int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
        if (rc != SQLITE_OK) {
                int r = store_set_error(ret_error, "%s: cannot open the store: %s", path,
                                  db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
                sqlite3_close(db);
                return r;
        }
        sqlite3_busy_timeout(db, 5000);
        sqlite3_extended_result_codes(db, 1);
        if (sqlite3_db_readonly(db, "main") == 1) {
                sqlite3_close(db);
                return store_set_error(ret_error, "%s: the store is not writable", path);
        }
        /* auto_vacuum only takes effect on a new file; harmless otherwise */
        rc = sqlite3_exec(db,
                          "PRAGMA auto_vacuum = INCREMENTAL;"
                          "PRAGMA journal_mode = WAL;"
                          "PRAGMA synchronous = FULL;"
                          "PRAGMA foreign_keys = OFF;",
                          NULL, NULL, NULL);
        if (rc != SQLITE_OK) {
                int r = (rc & 0xff) == SQLITE_NOTADB || (rc & 0xff) == SQLITE_CORRUPT
                                ? store_set_error(ret_error, "%s: the store is corrupt (%s); move it away to start afresh",
                                            path, sqlite3_errmsg(db))
                                : store_set_error(ret_error, "%s: cannot use the store: %s", path, sqlite3_errmsg(db));
                sqlite3_close(db);
                return r;
        }
        *ret = db;
        return 0;
}

static int db_check(sqlite3 *db, const char *path, char **ret_error) {
        sqlite3_stmt *st = NULL;
        int rc = sqlite3_prepare_v2(db, "PRAGMA quick_check", -1, &st, NULL);
        if (rc == SQLITE_OK)
                rc = sqlite3_step(st);
        if (rc != SQLITE_ROW) {
                int r = store_set_error(ret_error, "%s: the store is corrupt (%s); move it away to start afresh", path,
                                  sqlite3_errmsg(db));
                sqlite3_finalize(st);
                return r;
        }
        const char *res = (const char *) sqlite3_column_text(st, 0);
        if (!res || !streq(res, "ok")) {
                /* quick_check lists every damaged page: the first finding is enough */
                char first[160];
                snprintf(first, sizeof first, "%s", res ? res : "?");
                for (char *p = first; *p; p++)
                        if (*p == '\n')
                                *p = ' ';
                int r = store_set_error(ret_error, "%s: the store is corrupt (%s…); move it away to start afresh", path,
                                  first);
                sqlite3_finalize(st);
                return r;
        }
        sqlite3_finalize(st);
        return 0;
}

static int db_user_version(sqlite3 *db, int *ret) {
        sqlite3_stmt *st;
        int rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL);
        if (rc != SQLITE_OK)
                return errno_from_sqlite(rc);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
                *ret = sqlite3_column_int(st, 0);
        sqlite3_finalize(st);
        return rc == SQLITE_ROW ? 0 : errno_from_sqlite(rc);
}

static int db_migrate(sqlite3 *db, const char *path, char **ret_error) {
        /* BEGIN IMMEDIATE also proves that we can write, before anything is lost */
        if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
                return store_set_error(ret_error, "%s: cannot write to the store: %s", path, sqlite3_errmsg(db));
        int v = 0;
        int r = db_user_version(db, &v);
        if (r < 0) {
                sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
                return store_set_error(ret_error, "%s: cannot read the schema version: %s", path, sqlite3_errmsg(db));
        }
        if (v > SCHEMA_VERSION) {
                sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
                return store_set_error(ret_error, "%s: schema version %d is newer than this vendorwatch knows (%d)", path,
                                 v, SCHEMA_VERSION);
        }
        for (; v < SCHEMA_VERSION; v++) {
                char sql[64];
                snprintf(sql, sizeof sql, "PRAGMA user_version = %d", v + 1);
                if (sqlite3_exec(db, migrations[v], NULL, NULL, NULL) != SQLITE_OK ||
                    sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) {
                        r = store_set_error(ret_error, "%s: schema migration %d -> %d failed: %s", path, v, v + 1,
                                      sqlite3_errmsg(db));
                        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
                        return r;
                }
        }
        if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
                r = store_set_error(ret_error, "%s: cannot write to the store: %s", path, sqlite3_errmsg(db));
                sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
                return r;
        }
        return 0;
}

static int db_meta_u64(sqlite3 *db, const char *key, uint64_t *ret) {
        sqlite3_stmt *st;
        int rc = sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = ?", -1, &st, NULL);
        if (rc != SQLITE_OK)
                return errno_from_sqlite(rc);
        sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
        *ret = 0;
        if (sqlite3_step(st) == SQLITE_ROW)
                *ret = strtoull((const char *) sqlite3_column_text(st, 0), NULL, 10);
        sqlite3_finalize(st);
        return 0;
}

static int open_checked(const char *path, sqlite3 **ret, char **ret_error) {
        sqlite3 *db = NULL;
        int r = db_open(path, &db, ret_error);
        if (r < 0)
                return r;
        if ((r = db_check(db, path, ret_error)) < 0 || (r = db_migrate(db, path, ret_error)) < 0) {
                sqlite3_close(db);
                return r;
        }
        *ret = db;
        return 0;
}

/* The store's folder, or with `existing` its nearest ancestor that exists. */
static int store_folder(const char *path, bool existing, char **ret) {
        char *dir = strdup(path);
        if (!dir)
                return -ENOMEM;
        for (;;) {
                char *slash = strrchr(dir, '/');
                if (!slash) {
                        free(dir);
                        return (*ret = strdup(".")) ? 0 : -ENOMEM;
                }
                *(slash == dir ? slash + 1 : slash) = 0;
                if (!existing || access(dir, F_OK) == 0 || slash == dir)
                        break;
        }
        *ret = dir;
        return 0;
}

/* mkdir -p of the store's folder (0750): a state folder nobody made yet. */
static int make_folder(const char *path) {
        _cleanup_free_ char *dir = NULL;
        int r = store_folder(path, false, &dir);
        if (r < 0)
                return r;
        for (char *p = dir + 1; *p; p++)
                if (*p == '/') {
                        *p = 0;
                        if (mkdir(dir, 0750) < 0 && errno != EEXIST)
                                return -errno;
                        *p = '/';
                }
        if (mkdir(dir, 0750) < 0 && errno != EEXIST)
                return -errno;
        return 0;
}

int store_check(const char *path, char **ret_error) {
        sqlite3 *db = NULL;
        if (isempty(path))
                return store_set_error(ret_error, "store: no path configured");
        if (access(path, F_OK) < 0) {
                /* not there yet: the daemon will create it (and its folder) */
                _cleanup_free_ char *folder = NULL;
                int r = store_folder(path, true, &folder);
                if (r < 0)
                        return r;
                if (access(folder, W_OK | X_OK) < 0)
                        return store_set_error(ret_error, "%s: cannot create the store: %s: %m", path, folder);
                return 0;
        }
        int r = open_checked(path, &db, ret_error);
        if (r >= 0)
                sqlite3_close(db);
        return r;
}

int store_open(const StoreOptions *o, Store **ret, char **ret_error) {
        if (!o || isempty(o->path))
                return store_set_error(ret_error, "store: no path configured");
        Store *s = calloc(1, sizeof *s);
        if (!s)
                return -ENOMEM;
        s->efd = -EBADF;
        s->opt = *o;
        s->path = strdup(o->path);
        s->opt.path = s->path;
        if (!s->opt.retention_days)
                s->opt.retention_days = DEFAULT_RETENTION_DAYS;
        if (!s->opt.max_size_bytes)
                s->opt.max_size_bytes = DEFAULT_MAX_SIZE;
        if (!s->opt.flush_msec)
                s->opt.flush_msec = DEFAULT_FLUSH_MSEC;
        s->retention_usec = (uint64_t) s->opt.retention_days * 86400ull * 1000000ull;
        pthread_mutex_init(&s->lock, NULL);
        pthread_cond_init(&s->wake, NULL);
        pthread_cond_init(&s->done, NULL);
        int r = s->path ? namemap_new(&s->pending_by_key) : -ENOMEM;
        if (r >= 0)
                r = spool_new(&s->spool);
        if (r >= 0 && access(s->path, F_OK) < 0 && (r = make_folder(s->path)) < 0)
                store_set_error(ret_error, "%s: cannot create the store's folder: %s", s->path, strerror(-r));
        if (r >= 0)
                r = open_checked(s->path, &s->db, ret_error);
        if (r >= 0 && (r = db_meta_u64(s->db, "last_change", &s->committed)) < 0)
                store_set_error(ret_error, "%s: cannot read the store: %s", s->path, sqlite3_errmsg(s->db));
        if (r < 0) {
                store_free(s);
                return r;
        }
        s->last_change = s->committed;
        *ret = s;
        return 0;
}

/* --- the writer ----------------------------------------------------------------- */

static int bind_text(sqlite3_stmt *st, int i, const char *v) {
        return v ? sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC) : sqlite3_bind_null(st, i);
}

static int run(sqlite3 *db, const char *sql, const char *fmt, ...) {
        sqlite3_stmt *st;
        int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
        if (rc != SQLITE_OK)
                return errno_from_sqlite(rc);
        va_list ap;
        va_start(ap, fmt);
        for (int i = 1; fmt && *fmt; fmt++, i++)
                if (*fmt == 's')
                        bind_text(st, i, va_arg(ap, const char *));
                else
                        sqlite3_bind_int64(st, i, va_arg(ap, int64_t));
        va_end(ap);
        rc = sqlite3_step(st);
        sqlite3_finalize(st);
        return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : errno_from_sqlite(rc);
}

static int write_op(sqlite3 *db, const Op *o) {
        switch (o->type) {
        case OP_DEVICE_PUT:
                return run(db,
                           "INSERT OR REPLACE INTO devices (id, kind, first_seen, last_seen, vendor, role, segment,"
                           " violation, data, obs) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           "ssiisssiss", o->key, o->s1, o->i1, o->i2, o->s2, o->s3, o->s4, (int64_t) o->b1, o->data,
                           o->obs);
        case OP_DEVICE_DEL:
                return run(db, "DELETE FROM devices WHERE id = ?", "s", o->key);
        case OP_LINK_PUT:
                return run(db,
                           "INSERT OR REPLACE INTO links (local, local_port, remote, remote_port, source, last_seen)"
                           " VALUES (?, ?, ?, ?, ?, ?)",
                           "sssssi", o->s1, o->s2, o->s3, o->s4, o->data, o->i1);
        case OP_WAIVER_PUT:
                return run(db,
                           "INSERT OR REPLACE INTO waivers (device, until, reason, origin, created)"
                           " VALUES (?, ?, ?, ?, ?)",
                           "sissi", o->key, o->i1, o->s1, o->b1 ? "config" : "runtime", o->i2);
        case OP_WAIVER_DEL:
                return run(db, "DELETE FROM waivers WHERE device = ?", "s", o->key);
        case OP_ALERT: {
                int r = run(db,
                            "INSERT OR REPLACE INTO alerts (id, key, kind, subject, open, raised, cleared, data)"
                            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                            "isssiiis", o->i1, o->key, o->s1, o->s2, (int64_t) o->b1, o->i2, o->i3, o->data);
                if (r < 0)
                        return r;
                return run(db, "INSERT INTO alert_history (alert, event, time, data) VALUES (?, ?, ?, ?)", "isis",
                           o->i1, o->s3, o->b1 ? o->i2 : o->i3, o->data);
        }
        }
        return -EINVAL;
}

/* One transaction; on failure SQLite's message and the result code's name
 * go to errbuf. */
static int write_batch(Store *s, Op **ops, size_t n, uint64_t change, char *errbuf, size_t errsize) {
        int r = exec(s->db, "BEGIN IMMEDIATE");
        for (size_t i = 0; r >= 0 && i < n; i++)
                r = write_op(s->db, ops[i]);
        if (r >= 0) {
                char v[32];
                snprintf(v, sizeof v, "%" PRIu64, change);
                r = run(s->db, "INSERT OR REPLACE INTO meta (key, value) VALUES ('last_change', ?)", "s", v);
        }
        if (r >= 0)
                r = exec(s->db, "COMMIT");
        if (r < 0) {
                snprintf(errbuf, errsize, "%s (%s)", sqlite3_errmsg(s->db),
                         sqlite_code_name(sqlite3_extended_errcode(s->db)));
                exec(s->db, "ROLLBACK");
        }
        return r;
}

static void ops_free(Op **ops, size_t n) {
        for (size_t i = 0; i < n; i++)
                op_free(ops[i]);
        free(ops);
}

/* Put a failed batch back in front of what was queued since it was taken,
 * minus the ops that a newer change of the same key supersedes.  Called
 * with the lock held. */
static void requeue_locked(Store *s, Op **ops, size_t n) {
        size_t alloc = n + s->n_pending > 256 ? n + s->n_pending : 256, k = 0;
        Op **l = malloc(alloc * sizeof *l);
        if (!l) {
                s->n_lost += n;
                ops_free(ops, n);
                return;
        }
        for (size_t i = 0; i < n; i++) {
                Op *o = ops[i];
                if (o->ckey && namemap_get(s->pending_by_key, o->ckey)) {
                        op_free(o);
                        continue;
                }
                /* on failure this op is merely not coalesced with later ones */
                if (o->ckey && s->pending_by_key)
                        (void) namemap_put(s->pending_by_key, o->ckey, o, NULL);
                l[k++] = o;
        }
        for (size_t i = 0; i < s->n_pending; i++)
                l[k++] = s->pending[i];
        free(s->pending);
        free(ops);
        s->pending = l;
        s->n_pending = k;
        s->n_alloc = alloc;
}

static int prune_locked_db(Store *s, uint64_t now) {
        int64_t cutoff = (int64_t) (now > s->retention_usec ? now - s->retention_usec : 0);
        int r = run(s->db, "DELETE FROM alert_history WHERE time < ?", "i", cutoff);
        if (r >= 0)
                r = run(s->db, "DELETE FROM alerts WHERE open = 0 AND cleared < ?", "i", cutoff);
        /* over the size limit: the oldest history goes first, devices never */
        for (int round = 0; r >= 0 && round < 64; round++) {
                sqlite3_stmt *st;
                int64_t pages = 0, size = 0;
                if (sqlite3_prepare_v2(s->db,
                                       "SELECT (SELECT page_count FROM pragma_page_count) - "
                                       "(SELECT freelist_count FROM pragma_freelist_count), "
                                       "(SELECT page_size FROM pragma_page_size)",
                                       -1, &st, NULL) != SQLITE_OK)
                        break;
                if (sqlite3_step(st) == SQLITE_ROW) {
                        pages = sqlite3_column_int64(st, 0);
                        size = sqlite3_column_int64(st, 1);
                }
                sqlite3_finalize(st);
                if ((uint64_t) (pages * size) <= s->opt.max_size_bytes)
                        break;
                r = run(s->db,
                        "DELETE FROM alert_history WHERE seq IN (SELECT seq FROM alert_history ORDER BY seq LIMIT 1000)",
                        NULL);
                if (r >= 0 && sqlite3_changes(s->db) == 0)
                        break;
        }
        if (r >= 0)
                exec(s->db, "PRAGMA incremental_vacuum");
        return r;
}

static void *writer(void *userdata) {
        Store *s = userdata;
        pthread_mutex_lock(&s->lock);
        for (;;) {
                while (s->n_pending == 0 && !s->stop)
                        pthread_cond_wait(&s->wake, &s->lock);
                if (s->n_pending == 0 && s->stop)
                        break;
                /* let a batch build up, unless someone waits for it; after a
                 * failure, wait longer before trying again */
                if (!s->urgent && !s->stop) {
                        struct timespec ts;
                        clock_gettime(CLOCK_REALTIME, &ts);
                        unsigned msec = s->write_error ? RETRY_MSEC : s->opt.flush_msec;
                        uint64_t ns = (uint64_t) ts.tv_nsec + (uint64_t) msec * 1000000u;
                        ts.tv_sec += (time_t) (ns / 1000000000u);
                        ts.tv_nsec = (long) (ns % 1000000000u);
                        while (!s->urgent && !s->stop &&
                               pthread_cond_timedwait(&s->wake, &s->lock, &ts) == 0)
                                ;
                }
                Op **ops = s->pending;
                size_t n = s->n_pending;
                uint64_t change = s->last_change;
                s->pending = NULL;
                s->n_pending = s->n_alloc = 0;
                namemap_free(s->pending_by_key);
                s->pending_by_key = NULL;
                namemap_new(&s->pending_by_key);
                s->urgent = false;
                uint64_t batch = ++s->batch_started;
                bool stopping = s->stop;
                pthread_mutex_unlock(&s->lock);

                char errmsg[sizeof s->write_errmsg] = "";
                int r = write_batch(s, ops, n, change, errmsg, sizeof errmsg);
                uint64_t now = now_usec();
                if (r >= 0 && now >= s->last_prune + PRUNE_INTERVAL_USEC) {
                        prune_locked_db(s, now);
                        s->last_prune = now;
                }
                if (r >= 0) {
                        ops_free(ops, n);
                        /* a big batch (first start, a restore) leaves freed JSON in the
                         * heap: give the pages back instead of keeping them as RSS */
                        if (n >= 1024)
                                malloc_trim(0);
                }

                pthread_mutex_lock(&s->lock);
                s->n_batches++;
                s->batch_done = batch;
                if (r >= 0) {
                        s->n_ops += n;
                        s->committed = change;
                        s->write_error = 0;
                } else {
                        /* Nothing is acknowledged that is not written: the batch
                         * waits in memory for the next attempt (the disk may have
                         * room again), except at the very end. */
                        s->write_error = r;
                        snprintf(s->write_errmsg, sizeof s->write_errmsg, "%s", errmsg);
                        s->n_failed++;
                        if (stopping) {
                                s->n_lost += n;
                                ops_free(ops, n);
                        } else
                                requeue_locked(s, ops, n);
                }
                pthread_cond_broadcast(&s->done);
                if (s->efd >= 0) {
                        uint64_t one = 1;
                        (void) !write(s->efd, &one, sizeof one);
                }
        }
        pthread_mutex_unlock(&s->lock);
        return NULL;
}

static int ensure_writer(Store *s) {
        if (s->thread_started)
                return 0;
        int r = pthread_create(&s->thread, NULL, writer, s);
        if (r != 0)
                return -r;
        s->thread_started = true;
        return 0;
}

/* Queue (or coalesce with a queued op of the same key). */
static uint64_t enqueue(Store *s, Op *o, const char *coalesce_key) {
        if (!s || !o)
                goto oom;
        if (coalesce_key)
                o->ckey = strdup(coalesce_key);         /* NULL: not coalesced after a retry */
        o = op_pack(s, o);
        pthread_mutex_lock(&s->lock);
        if (ensure_writer(s) < 0) {
                pthread_mutex_unlock(&s->lock);
                goto oom;
        }
        o->change = ++s->last_change;
        Op *old = coalesce_key ? namemap_get(s->pending_by_key, coalesce_key) : NULL;
        if (old) {
                /* replace in place: the slot keeps its order in the batch */
                for (size_t i = 0; i < s->n_pending; i++)
                        if (s->pending[i] == old) {
                                s->pending[i] = o;
                                break;
                        }
                namemap_put(s->pending_by_key, coalesce_key, o, NULL);
                op_free(old);
        } else {
                if (s->n_pending == s->n_alloc) {
                        size_t n = s->n_alloc ? s->n_alloc * 2 : 256;
                        Op **l = realloc(s->pending, n * sizeof *l);
                        if (!l) {
                                s->last_change--;
                                pthread_mutex_unlock(&s->lock);
                                goto oom;
                        }
                        s->pending = l;
                        s->n_alloc = n;
                }
                s->pending[s->n_pending++] = o;
                /* on failure this op is merely not coalesced with later ones */
                if (coalesce_key)
                        (void) namemap_put(s->pending_by_key, coalesce_key, o, NULL);
                if (s->n_pending == 1)
                        pthread_cond_signal(&s->wake);
        }
        uint64_t c = o->change;
        pthread_mutex_unlock(&s->lock);
        return c;
oom:
        op_free(o);
        if (s)
                s->n_oom++;
        return 0;
}

static char *dup_or_null(const char *s) {
        return s ? strdup(s) : NULL;
}

json_object *store_device_to_json(const Device *d) {
        json_object *j = json_object_new_object();
        if (!j)
                return NULL;
        json_object_object_add(j, "kind", json_object_new_string(d->kind == DEVICE_HOST ? "host" : "network"));
        json_object_object_add(j, "first_seen", json_object_new_int64((int64_t) d->first_seen));
        json_object_object_add(j, "last_seen", json_object_new_int64((int64_t) d->last_seen));
        json_object_object_add(j, "expires", json_object_new_int64((int64_t) d->expires));
        json_object_object_add(j, "absent", json_object_new_boolean(d->absent));
        json_object_object_add(j, "stale", json_object_new_boolean(d->stale));
        if (d->vendor.vendor) {
                json_object_object_add(j, "vendor", json_object_new_string(d->vendor.vendor));
                json_object_object_add(j, "confidence", json_object_new_double(d->vendor.confidence));
        }
        if (d->role.role)
                json_object_object_add(j, "role_rule", json_object_new_string(d->role.rule ? d->role.rule : ""));
        if (d->policy.rule)
                json_object_object_add(j, "policy_rule", json_object_new_string(d->policy.rule));
        return j;
}

/* One line per observation: "<time_usec>\t<observation JSON>\n" (JSON text
 * has no raw newlines), so a restore parses each observation once. */
static char *device_obs_lines(const Device *d) {
        char *buf = NULL;
        size_t n = 0;
        FILE *f = open_memstream(&buf, &n);
        if (!f)
                return NULL;
        for (size_t i = 0; i < d->n_obs; i++) {
                ObsView view;
                if (packed_obs_view(d->obs[i], &view) < 0)
                        continue;
                json_object *o = observation_to_json(&view.o);
                obs_view_done(&view);
                if (!o)
                        continue;
                fprintf(f, "%" PRIu64 "\t%s\n", d->obs[i]->time_usec,
                        json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
                json_object_put(o);
        }
        if (fclose(f) != 0) {
                free(buf);
                return NULL;
        }
        return buf;
}

uint64_t store_put_device(Store *s, const Device *d) {
        if (!s || !d || !d->id)
                return 0;
        Op *o = calloc(1, sizeof *o);
        json_object *j = store_device_to_json(d);
        char key[8 + 256];
        if (o && j) {
                o->type = OP_DEVICE_PUT;
                o->key = strdup(d->id);
                o->data = strdup(json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN));
                o->s1 = strdup(d->kind == DEVICE_HOST ? "host" : "network");
                o->s2 = dup_or_null(d->vendor.vendor);
                o->s3 = dup_or_null(d->role.role);
                o->s4 = dup_or_null(d->role.segment);
                o->i1 = (int64_t) d->first_seen;
                o->i2 = (int64_t) d->last_seen;
                o->b1 = d->policy.violation;
                o->obs = device_obs_lines(d);
        }
        json_object_put(j);
        if (!o || !o->key || !o->data || !o->s1 || !o->obs) {
                op_free(o);
                o = NULL;
        }
        snprintf(key, sizeof key, "d:%s", d->id);
        return enqueue(s, o, strlen(d->id) < 250 ? key : NULL);
}

uint64_t store_delete_device(Store *s, const char *id) {
        if (!s || !id)
                return 0;
        Op *o = calloc(1, sizeof *o);
        if (o && !(o->key = strdup(id)))
                o = (op_free(o), NULL);
        if (o)
                o->type = OP_DEVICE_DEL;
        char key[8 + 256];
        snprintf(key, sizeof key, "d:%s", id);
        return enqueue(s, o, strlen(id) < 250 ? key : NULL);
}

uint64_t store_put_link(Store *s, const Link *l) {
        if (!s || !l || !l->local || !l->remote)
                return 0;
        Op *o = calloc(1, sizeof *o);
        if (o) {
                o->type = OP_LINK_PUT;
                o->s1 = strdup(l->local);
                o->s2 = strdup(l->local_port ? l->local_port : "");
                o->s3 = strdup(l->remote);
                o->s4 = strdup(l->remote_port ? l->remote_port : "");
                o->data = dup_or_null(l->source);
                o->i1 = (int64_t) l->last_seen;
                if (!o->s1 || !o->s2 || !o->s3 || !o->s4)
                        o = (op_free(o), NULL);
        }
        _cleanup_free_ char *key = NULL;
        if (o && asprintf(&key, "l:%s\t%s\t%s", o->s1, o->s2, o->s3) < 0)
                key = NULL;
        return enqueue(s, o, key);
}

uint64_t store_put_waiver(Store *s, const Waiver *w) {
        if (!s || !w || !w->device)
                return 0;
        Op *o = calloc(1, sizeof *o);
        if (o) {
                o->type = OP_WAIVER_PUT;
                o->key = strdup(w->device);
                o->s1 = strdup(w->reason ? w->reason : "");
                o->i1 = (int64_t) w->until_usec;
                o->i2 = (int64_t) w->created_usec;
                o->b1 = w->from_config;
                if (!o->key || !o->s1)
                        o = (op_free(o), NULL);
        }
        _cleanup_free_ char *key = NULL;
        if (asprintf(&key, "w:%s", w->device) < 0)
                key = NULL;
        return enqueue(s, o, key);
}

uint64_t store_delete_waiver(Store *s, const char *device) {
        if (!s || !device)
                return 0;
        Op *o = calloc(1, sizeof *o);
        if (o && !(o->key = strdup(device)))
                o = (op_free(o), NULL);
        if (o)
                o->type = OP_WAIVER_DEL;
        _cleanup_free_ char *key = NULL;
        if (asprintf(&key, "w:%s", device) < 0)
                key = NULL;
        return enqueue(s, o, key);
}

uint64_t store_put_alert(Store *s, const Alert *a, const char *event, const char *json) {
        if (!s || !a || !a->key)
                return 0;
        Op *o = calloc(1, sizeof *o);
        if (o) {
                o->type = OP_ALERT;
                o->key = strdup(a->key);
                o->s1 = strdup(alert_kind_to_string(a->kind));
                o->s2 = strdup(a->subject ? a->subject : "");
                o->s3 = strdup(event ? event : "raised");
                o->data = strdup(json ? json : "{}");
                o->i1 = (int64_t) a->id;
                o->i2 = (int64_t) a->raised_usec;
                o->i3 = (int64_t) (streq_ptr(event, "reminder") ? a->notified_usec : a->cleared_usec);
                o->b1 = a->open;
                if (!o->key || !o->s1 || !o->s2 || !o->s3 || !o->data)
                        o = (op_free(o), NULL);
        }
        /* every transition is history: never coalesced */
        return enqueue(s, o, NULL);
}

void store_alert_persist(void *store, const Alert *a, const char *event, const char *json) {
        store_put_alert(store, a, event, json);
}

uint64_t store_last_change(const Store *s) {
        return s ? s->last_change : 0;
}

uint64_t store_committed(Store *s) {
        pthread_mutex_lock(&s->lock);
        uint64_t c = s->committed;
        pthread_mutex_unlock(&s->lock);
        return c;
}

/* The outcome for a waiter: 0 once `target` is committed, the write error
 * once a batch begun after it asked has failed, else -EAGAIN (wait on). */
static int sync_outcome_locked(const Store *s, uint64_t target, uint64_t batch) {
        if (s->committed >= target)
                return 0;
        if (s->batch_done >= batch && s->write_error < 0)
                return s->write_error;
        return -EAGAIN;
}

int store_flush(Store *s) {
        if (!s)
                return 0;
        pthread_mutex_lock(&s->lock);
        uint64_t target = s->last_change, batch = s->batch_started + 1;
        if (s->committed < target) {
                s->urgent = true;
                pthread_cond_signal(&s->wake);
        }
        int r;
        while ((r = sync_outcome_locked(s, target, batch)) == -EAGAIN && s->thread_started)
                pthread_cond_wait(&s->done, &s->lock);
        pthread_mutex_unlock(&s->lock);
        return r == -EAGAIN ? 0 : r;
}

/* --- sync through the loop ------------------------------------------------------ */

static void dispatch_waiters(Store *s) {
        size_t k = 0;
        /* callbacks may add waiters: take the ready ones out first */
        SyncWaiter ready[64];
        int err[64];
        size_t n_ready = 0;
        pthread_mutex_lock(&s->lock);
        uint64_t committed = s->committed;
        for (size_t i = 0; i < s->n_waiters; i++) {
                int r = sync_outcome_locked(s, s->waiters[i].target, s->waiters[i].batch);
                if (r != -EAGAIN && n_ready < ELEMENTSOF(ready)) {
                        err[n_ready] = r;
                        ready[n_ready++] = s->waiters[i];
                } else
                        s->waiters[k++] = s->waiters[i];
        }
        pthread_mutex_unlock(&s->lock);
        s->n_waiters = k;
        for (size_t i = 0; i < n_ready; i++)
                ready[i].cb(ready[i].userdata, committed, err[i]);
        if (n_ready == ELEMENTSOF(ready))
                dispatch_waiters(s);
}

/* Tell the operator when writing starts failing, changes how, or works
 * again: once per change of state, not per batch (loop thread). */
static void report_write_state(Store *s) {
        pthread_mutex_lock(&s->lock);
        int err = s->write_error;
        size_t pending = s->n_pending;
        uint64_t failed = s->n_failed;
        char msg[sizeof s->write_errmsg];
        snprintf(msg, sizeof msg, "%s", s->write_errmsg);
        pthread_mutex_unlock(&s->lock);

        if (err == s->logged_error)
                return;
        if (err < 0)
                log_error("%s: cannot write to the store: %s; %zu changes are kept in memory and retried, "
                          "and sync fails until they are written",
                          s->path, msg, pending);
        else
                log_notice("%s: writes to the store resumed (%" PRIu64 " failed attempts so far); "
                           "the changes kept in memory are written",
                           s->path, failed);
        s->logged_error = err;
}

static int on_efd(sd_event_source *es, int fd, uint32_t revents, void *userdata) {
        uint64_t v;
        (void) !read(fd, &v, sizeof v);
        report_write_state(userdata);
        dispatch_waiters(userdata);
        return 0;
}

int store_attach_event(Store *s, sd_event *e) {
        if (s->efd >= 0)
                return -EALREADY;
        int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (fd < 0)
                return -errno;
        int r = sd_event_add_io(e, &s->efd_source, fd, EPOLLIN, on_efd, s);
        if (r < 0) {
                close(fd);
                return r;
        }
        pthread_mutex_lock(&s->lock);
        s->efd = fd;
        pthread_mutex_unlock(&s->lock);
        return 0;
}

int store_sync(Store *s, StoreSyncFn cb, void *userdata) {
        if (!s || !cb)
                return -EINVAL;
        pthread_mutex_lock(&s->lock);
        uint64_t target = s->last_change, committed = s->committed, batch = s->batch_started + 1;
        if (committed < target) {
                s->urgent = true;
                pthread_cond_signal(&s->wake);
        }
        pthread_mutex_unlock(&s->lock);
        if (committed >= target) {
                cb(userdata, committed, 0);
                return 0;
        }
        if (s->efd < 0)
                return -ENOTCONN;
        SyncWaiter *n = realloc(s->waiters, (s->n_waiters + 1) * sizeof *n);
        if (!n)
                return -ENOMEM;
        s->waiters = n;
        n[s->n_waiters++] = (SyncWaiter) { .target = target, .batch = batch, .cb = cb, .userdata = userdata };
        return 0;
}

int store_prune(Store *s, uint64_t now) {
        if (!s)
                return 0;
        int r = store_flush(s);
        if (r < 0)
                return r;
        /* the writer is idle after a flush and only we queue: safe to use the db */
        pthread_mutex_lock(&s->lock);
        r = prune_locked_db(s, now);
        s->last_prune = now;
        pthread_mutex_unlock(&s->lock);
        return r;
}

Store *store_free(Store *s) {
        if (!s)
                return NULL;
        if (s->thread_started) {
                pthread_mutex_lock(&s->lock);
                s->stop = true;
                pthread_cond_signal(&s->wake);
                pthread_mutex_unlock(&s->lock);
                pthread_join(s->thread, NULL);
        }
        if (s->n_lost > 0)
                log_error("%s: %" PRIu64 " changes could not be written to the store: %s", s->path, s->n_lost,
                          s->write_errmsg[0] ? s->write_errmsg : "out of memory");
        if (s->efd >= 0)
                dispatch_waiters(s);
        sd_event_source_disable_unref(s->efd_source);
        if (s->efd >= 0)
                close(s->efd);
        for (size_t i = 0; i < s->n_pending; i++)
                op_free(s->pending[i]);
        free(s->pending);
        namemap_free(s->pending_by_key);
        free(s->waiters);
        if (s->db) {
                /* fold the WAL back so the file alone is the whole inventory */
                sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
                sqlite3_close(s->db);
        }
        pthread_mutex_destroy(&s->lock);
        pthread_cond_destroy(&s->wake);
        pthread_cond_destroy(&s->done);
        spool_unref(s->spool);  /* after the last op is freed */
        free(s->path);
        free(s);
        return NULL;
}

json_object *store_status(Store *s) {
        json_object *j = json_object_new_object();
        pthread_mutex_lock(&s->lock);
        json_object_object_add(j, "path", json_object_new_string(s->path));
        json_object_object_add(j, "schema_version", json_object_new_int(SCHEMA_VERSION));
        json_object_object_add(j, "last_change", json_object_new_int64((int64_t) s->last_change));
        json_object_object_add(j, "committed", json_object_new_int64((int64_t) s->committed));
        json_object_object_add(j, "pending", json_object_new_int64((int64_t) s->n_pending));
        json_object_object_add(j, "batches", json_object_new_int64((int64_t) s->n_batches));
        json_object_object_add(j, "writes", json_object_new_int64((int64_t) s->n_ops));
        json_object_object_add(j, "failed_batches", json_object_new_int64((int64_t) s->n_failed));
        json_object_object_add(j, "dropped_oom", json_object_new_int64((int64_t) s->n_oom));
        json_object_object_add(j, "lost", json_object_new_int64((int64_t) s->n_lost));
        if (s->write_error) {
                json_object_object_add(j, "error", json_object_new_string(strerror(-s->write_error)));
                json_object_object_add(j, "error_detail", json_object_new_string(s->write_errmsg));
        }
        pthread_mutex_unlock(&s->lock);
        return j;
}

