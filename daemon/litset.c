/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "litset.h"

/* While literals are added, the states form a trie with child lists.
 * litset_build() turns it into a full transition table in breadth-first
 * order: a state's row is the row of its longest proper suffix that is also
 * a state (its failure state, shallower, so done already) with the state's
 * own children written over it. */

struct node {
        uint32_t child, sibling;        /* first child, next sibling; 0 = none (the root is no child) */
        uint32_t out;                   /* literals ending here: index + 1 into outs, 0 = none */
        uint32_t depth;
        uint8_t label;                  /* the byte into this state */
};

#define REPORT_BIT (UINT32_C(1) << 31)

struct out {
        uint32_t item;
        uint32_t next;                  /* index + 1, 0 = end */
};

struct LitSet {
        size_t max_states, max_cells;
        bool fold_case, built;
        struct node *node;
        size_t n_states, cap;
        struct out *outs;
        size_t n_outs, outs_cap;
        uint8_t cls[256];               /* class 0: bytes in no literal */
        size_t n_cls;
        uint32_t *delta;                /* n_states rows of n_cls: the next state's row offset, | REPORT_BIT when
                                         * literals end there */
        uint32_t *report;               /* first state with outputs on the suffix chain, itself included; 0 = none */
        uint32_t *dict;                 /* the next such state after `report`'s */
};

int litset_new(size_t max_states, size_t max_cells, bool fold_case, LitSet **ret) {
        if (max_states < 1 || max_states > LITSET_MAX_STATES)
                return -EINVAL;
        LitSet *s = calloc(1, sizeof *s);
        if (!s)
                return -ENOMEM;
        *s = (LitSet) { .max_states = max_states, .max_cells = max_cells, .fold_case = fold_case, .n_cls = 1 };
        s->node = calloc(16, sizeof *s->node);
        if (!s->node) {
                free(s);
                return -ENOMEM;
        }
        s->cap = 16;
        s->n_states = 1;        /* the root */
        *ret = s;
        return 0;
}

LitSet *litset_free(LitSet *s) {
        if (!s)
                return NULL;
        free(s->node);
        free(s->outs);
        free(s->delta);
        free(s->report);
        free(s->dict);
        free(s);
        return NULL;
}

static inline uint8_t fold(const LitSet *s, uint8_t c) {
        return s->fold_case && c >= 'A' && c <= 'Z' ? (uint8_t) (c | 0x20) : c;
}

static uint32_t find_child(const LitSet *s, uint32_t st, uint8_t c) {
        for (uint32_t k = s->node[st].child; k; k = s->node[k].sibling)
                if (s->node[k].label == c)
                        return k;
        return 0;
}

int litset_add(LitSet *s, const char *literal, size_t n, uint32_t item) {
        if (s->built || n == 0)
                return -EINVAL;

        /* measure first, so a refusal leaves the set as it was */
        uint32_t st = 0;
        size_t i = 0;
        for (; i < n; i++) {
                uint32_t k = find_child(s, st, fold(s, (uint8_t) literal[i]));
                if (!k)
                        break;
                st = k;
        }
        bool seen[256] = {};
        size_t new_cls = 0;
        for (size_t k = i; k < n; k++) {
                uint8_t c = fold(s, (uint8_t) literal[k]);
                if (!s->cls[c] && !seen[c])
                        seen[c] = true, new_cls++;
        }
        size_t states = s->n_states + (n - i), classes = s->n_cls + new_cls;
        if (states > s->max_states || classes > 256 || states > s->max_cells / classes)
                return -E2BIG;

        if (states > s->cap) {
                size_t cap = s->cap * 2;
                while (cap < states)
                        cap *= 2;
                struct node *v = reallocarray(s->node, cap, sizeof *v);
                if (!v)
                        return -ENOMEM;
                s->node = v, s->cap = cap;
        }
        if (s->n_outs == s->outs_cap) {
                size_t cap = s->outs_cap ? s->outs_cap * 2 : 16;
                struct out *v = reallocarray(s->outs, cap, sizeof *v);
                if (!v)
                        return -ENOMEM;
                s->outs = v, s->outs_cap = cap;
        }
        for (; i < n; i++) {
                uint8_t c = fold(s, (uint8_t) literal[i]);
                if (!s->cls[c])
                        s->cls[c] = (uint8_t) s->n_cls++;
                uint32_t k = (uint32_t) s->n_states++;
                s->node[k] = (struct node) {
                        .sibling = s->node[st].child, .depth = s->node[st].depth + 1, .label = c,
                };
                s->node[st].child = k;
                st = k;
        }
        s->outs[s->n_outs++] = (struct out) { .item = item, .next = s->node[st].out };
        s->node[st].out = (uint32_t) s->n_outs;
        return 0;
}

int litset_build(LitSet *s) {
        if (s->built)
                return 0;
        size_t n = s->n_states, k = s->n_cls;
        uint32_t *delta = calloc(n * k, sizeof *delta);
        uint32_t *report = calloc(n, sizeof *report), *dict = calloc(n, sizeof *dict);
        uint32_t *fail = calloc(n, sizeof *fail), *queue = malloc(n * sizeof *queue);
        if (!delta || !report || !dict || !fail || !queue) {
                free(delta), free(report), free(dict), free(fail), free(queue);
                return -ENOMEM;
        }
        if (s->fold_case)
                for (unsigned c = 'A'; c <= 'Z'; c++)
                        s->cls[c] = s->cls[c | 0x20];

        /* first with states, then (below) with row offsets */
        size_t head = 0, tail = 0;
        for (uint32_t c = s->node[0].child; c; c = s->node[c].sibling) {
                delta[s->cls[s->node[c].label]] = c;
                queue[tail++] = c;      /* fail[c] = 0, the root */
        }
        while (head < tail) {
                uint32_t st = queue[head++], f = fail[st];
                dict[st] = report[f];
                report[st] = s->node[st].out ? st : dict[st];
                uint32_t *row = delta + st * k;
                const uint32_t *frow = delta + f * k;
                memcpy(row, frow, k * sizeof *row);
                for (uint32_t c = s->node[st].child; c; c = s->node[c].sibling) {
                        unsigned x = s->cls[s->node[c].label];
                        fail[c] = frow[x];
                        row[x] = c;
                        queue[tail++] = c;
                }
        }
        /* the scan then needs no multiplication, and no second read to
         * know that nothing ends here */
        for (size_t i = 0; i < n * k; i++)
                delta[i] = (uint32_t) (delta[i] * k) | (report[delta[i]] ? REPORT_BIT : 0);
        free(fail);
        free(queue);
        s->delta = delta, s->report = report, s->dict = dict;
        s->built = true;
        return 0;
}

void litset_scan(const LitSet *s, const char *text, size_t n, litset_match_fn fn, void *userdata) {
        if (!s || !s->built)
                return;
        const uint32_t *delta = s->delta;
        const uint8_t *cls = s->cls;
        uint32_t e = 0;
        for (size_t j = 0; j < n; j++) {
                e = delta[(e & ~REPORT_BIT) + cls[(uint8_t) text[j]]];
                if (!(e & REPORT_BIT))
                        continue;
                for (uint32_t t = s->report[(e & ~REPORT_BIT) / s->n_cls]; t; t = s->dict[t])
                        for (uint32_t o = s->node[t].out; o; o = s->outs[o - 1].next)
                                fn(s->outs[o - 1].item, j + 1 - s->node[t].depth, userdata);
        }
}

size_t litset_states(const LitSet *s) {
        return s ? s->n_states : 0;
}

size_t litset_classes(const LitSet *s) {
        return s ? s->n_cls : 0;
}
