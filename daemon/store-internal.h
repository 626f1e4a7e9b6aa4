/* SPDX-License-Identifier: MIT */
/* The store's insides, shared by store.c (open, queue, writer) and
 * store-load.c (restore). */
#pragma once

#include <pthread.h>
#include <sqlite3.h>
#include <systemd/sd-event.h>

#include "namemap.h"
#include "spool.h"
#include "store.h"

typedef enum OpType {
        OP_DEVICE_PUT,
        OP_DEVICE_DEL,
        OP_LINK_PUT,
        OP_WAIVER_PUT,
        OP_WAIVER_DEL,
        OP_ALERT,
} OpType;

typedef struct Op {
        OpType type;
        uint64_t change;
        char *key;                      /* device id, waiver device, link "local\tport\tremote\tport" */
        char *data;                     /* JSON */
        char *s1, *s2, *s3, *s4;        /* per type */
        char *obs;                      /* OP_DEVICE_PUT: observation lines */
        char *ckey;                     /* coalescing key ("d:<id>", …), or NULL (alerts) */
        int64_t i1, i2, i3;
        bool b1;
        bool packed;                    /* the strings live in the op's own block */
        bool spooled;                   /* that block is in the store's spool */
} Op;

typedef struct SyncWaiter {
        uint64_t target;
        uint64_t batch;                 /* the first batch started after the request */
        StoreSyncFn cb;
        void *userdata;
} SyncWaiter;

struct Store {
        char *path;
        Spool *spool;                   /* queued ops' memory (the loop allocates) */
        sqlite3 *db;
        StoreOptions opt;
        uint64_t retention_usec;

        pthread_t thread;
        bool thread_started;
        pthread_mutex_t lock;
        pthread_cond_t wake;            /* writer: work, flush or stop */
        pthread_cond_t done;            /* flushers: a batch committed */
        /* under lock */
        Op **pending;
        size_t n_pending, n_alloc;
        NameMap *pending_by_key;         /* "d:<id>", "w:<dev>", "l:<…>" -> Op* */
        uint64_t last_change;
        uint64_t committed;
        int write_error;                /* last failure, 0 when the latest batch committed */
        char write_errmsg[256];         /* SQLite's words for it, with the result code's name */
        bool urgent, stop;
        /* A failed batch goes back to the queue (a newer change of the same
         * key supersedes it) and is retried; `committed` only moves on
         * success.  Batches are numbered so a sync waits for an attempt
         * that began after it asked. */
        uint64_t batch_started, batch_done;
        uint64_t n_batches, n_ops, n_failed, n_oom, n_lost;
        uint64_t last_prune;

        /* loop side */
        int efd;
        sd_event_source *efd_source;
        SyncWaiter *waiters;
        size_t n_waiters;
        int logged_error;               /* the write error last reported in the log */
};


int store_set_error(char **ret_error, const char *fmt, ...) _printf_(2, 3);
