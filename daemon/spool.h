/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>

/* Memory for records that wait in a queue: carved in order from 1 MiB
 * mappings of their own, each given back to the kernel once every record in
 * it is freed.  A burst of queued records then never leaves holes in the
 * heap that the long-lived inventory has grown around.  One thread
 * allocates; any thread frees. */
typedef struct Spool Spool;

#define SPOOL_MAX_ALLOC (64 * 1024)

int spool_new(Spool **ret);
/* Drops the spool's hold on its current chunk: chunks go when their last
 * record is freed. */
Spool *spool_unref(Spool *s);

/* n ≤ SPOOL_MAX_ALLOC; NULL when out of memory (the caller falls back to malloc). */
void *spool_alloc(Spool *s, size_t n);
void spool_free(void *p);
