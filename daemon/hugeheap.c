/* SPDX-License-Identifier: MIT */
#include <malloc.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hugeheap.h"

#define HUGE_PAGE ((uintptr_t) 2 << 20)
#define HUGEHEAP_STEP (8 << 20)

static bool started;
static uintptr_t advised;       /* the heap up to here (a huge page boundary) is advised; 0 = not yet */

static uintptr_t heap_end(void) {
        return (uintptr_t) sbrk(0) & ~(HUGE_PAGE - 1);
}

void hugeheap_start(void) {
        started = true;
}

void hugeheap_follow(void) {
        if (!started)
                return;
        if (advised == 0) {
                /* from the first observations on: what start-up laid out
                 * (registries, tables) is touched already */
                (void) mallopt(M_TOP_PAD, HUGEHEAP_STEP);
                advised = ((uintptr_t) sbrk(0) + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
                return;
        }
        uintptr_t end = heap_end();
        if (end < advised)
                advised = end;          /* trimmed: what grows back is advised again */
        else if (end > advised) {
                (void) madvise((void *) advised, end - advised, MADV_HUGEPAGE);
                advised = end;
        }
}
