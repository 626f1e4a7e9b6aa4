/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "spool.h"

#define CHUNK_SIZE ((size_t) 1 << 20)

typedef struct Chunk {
        atomic_size_t refs;     /* records in it, plus one while it is the spool's current chunk */
        size_t used;
        max_align_t data[];
} Chunk;

struct Spool {
        Chunk *current;
};

/* A mapping aligned to its size, so a record finds its chunk by masking. */
static Chunk *chunk_new(void) {
        uint8_t *p = mmap(NULL, 2 * CHUNK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
                return NULL;
        uint8_t *aligned = (uint8_t *) (((uintptr_t) p + CHUNK_SIZE - 1) & ~(uintptr_t) (CHUNK_SIZE - 1));
        if (aligned > p)
                munmap(p, (size_t) (aligned - p));
        munmap(aligned + CHUNK_SIZE, (size_t) (p + 2 * CHUNK_SIZE - (aligned + CHUNK_SIZE)));
        Chunk *c = (Chunk *) aligned;
        atomic_init(&c->refs, 1);
        c->used = offsetof(Chunk, data);
        return c;
}

static void chunk_unref(Chunk *c) {
        if (c && atomic_fetch_sub_explicit(&c->refs, 1, memory_order_acq_rel) == 1)
                munmap(c, CHUNK_SIZE);
}

int spool_new(Spool **ret) {
        Spool *s = calloc(1, sizeof(Spool));
        if (!s)
                return -ENOMEM;
        *ret = s;
        return 0;
}

Spool *spool_unref(Spool *s) {
        if (!s)
                return NULL;
        chunk_unref(s->current);
        free(s);
        return NULL;
}

void *spool_alloc(Spool *s, size_t n) {
        n = (n + _Alignof(max_align_t) - 1) & ~(_Alignof(max_align_t) - 1);
        if (n == 0 || n > SPOOL_MAX_ALLOC)
                return NULL;
        if (!s->current || s->current->used + n > CHUNK_SIZE) {
                Chunk *c = chunk_new();
                if (!c)
                        return NULL;
                chunk_unref(s->current);
                s->current = c;
        }
        Chunk *c = s->current;
        void *p = (uint8_t *) c + c->used;
        c->used += n;
        atomic_fetch_add_explicit(&c->refs, 1, memory_order_relaxed);
        return p;
}

void spool_free(void *p) {
        if (p)
                chunk_unref((Chunk *) ((uintptr_t) p & ~(uintptr_t) (CHUNK_SIZE - 1)));
}
