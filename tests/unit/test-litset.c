/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "litset.h"
#include "macro.h"

#define MAX_HITS 4096

typedef struct Hits {
        size_t n;
        struct hit {
                uint32_t item;
                size_t start;
        } v[MAX_HITS];
} Hits;

static void collect(uint32_t item, size_t start, void *userdata) {
        Hits *h = userdata;
        assert_true(h->n < MAX_HITS);
        h->v[h->n++] = (struct hit) { .item = item, .start = start };
}

static int hit_cmp(const void *a, const void *b) {
        const struct hit *x = a, *y = b;
        if (x->start != y->start)
                return x->start < y->start ? -1 : 1;
        return x->item < y->item ? -1 : x->item > y->item;
}

static void scan_sorted(const LitSet *s, const char *text, size_t n, Hits *h) {
        h->n = 0;
        litset_scan(s, text, n, collect, h);
        qsort(h->v, h->n, sizeof h->v[0], hit_cmp);
}

static void test_overlapping(void **state) {
        static const char *const lits[] = { "he", "she", "his", "hers", "he" };
        LitSet *s = NULL;
        Hits h;
        assert_int_equal(litset_new(100, 10000, false, &s), 0);
        for (size_t i = 0; i < ELEMENTSOF(lits); i++)
                assert_int_equal(litset_add(s, lits[i], strlen(lits[i]), (uint32_t) i), 0);
        assert_int_equal(litset_build(s), 0);
        assert_int_equal(litset_add(s, "x", 1, 9), -EINVAL);   /* built: closed */
        scan_sorted(s, "ushers", 6, &h);
        /* she@1, he@2 (twice: items 0 and 4), hers@2 */
        assert_int_equal(h.n, 4);
        assert_int_equal(h.v[0].item, 1);
        assert_int_equal(h.v[0].start, 1);
        assert_int_equal(h.v[1].item, 0);
        assert_int_equal(h.v[1].start, 2);
        assert_int_equal(h.v[2].item, 3);
        assert_int_equal(h.v[2].start, 2);
        assert_int_equal(h.v[3].item, 4);
        assert_int_equal(h.v[3].start, 2);
        scan_sorted(s, "USHERS", 6, &h);       /* no case folding asked for */
        assert_int_equal(h.n, 0);
        scan_sorted(s, "hishe", 3, &h);        /* only the first n bytes */
        assert_int_equal(h.n, 1);
        assert_int_equal(h.v[0].item, 2);
        litset_free(s);
}

static void test_fold_case(void **state) {
        LitSet *s = NULL;
        Hits h;
        assert_int_equal(litset_new(100, 10000, true, &s), 0);
        assert_int_equal(litset_add(s, "CiSco", 5, 7), 0);
        assert_int_equal(litset_add(s, "\xc3\xa9t", 3, 8), 0);
        assert_int_equal(litset_add(s, "", 0, 9), -EINVAL);
        assert_int_equal(litset_build(s), 0);
        scan_sorted(s, "the CISCO cisco \xc3\xa9T \xc3\x89T", 22, &h);
        assert_int_equal(h.n, 3);
        assert_int_equal(h.v[0].item, 7);
        assert_int_equal(h.v[0].start, 4);
        assert_int_equal(h.v[1].start, 10);
        assert_int_equal(h.v[2].item, 8);       /* only ASCII letters fold */
        assert_int_equal(h.v[2].start, 16);
        litset_free(s);
}

static void test_bounds(void **state) {
        LitSet *s = NULL;
        Hits h;
        /* the root and nine more states */
        assert_int_equal(litset_new(10, 10000, false, &s), 0);
        assert_int_equal(litset_add(s, "abcde", 5, 0), 0);     /* 6 states */
        assert_int_equal(litset_add(s, "abxyzwv", 7, 1), -E2BIG);      /* 5 more: refused */
        assert_int_equal(litset_add(s, "abxyz", 5, 2), 0);     /* 3 more: fits */
        assert_int_equal(litset_states(s), 9);
        assert_int_equal(litset_add(s, "q", 1, 3), 0);
        assert_int_equal(litset_add(s, "r", 1, 4), -E2BIG);
        assert_int_equal(litset_add(s, "abc", 3, 5), 0);       /* no new state */
        assert_int_equal(litset_build(s), 0);
        scan_sorted(s, "abxyzwv abcde q", 15, &h);
        assert_int_equal(h.n, 4);
        assert_int_equal(h.v[0].item, 2);
        assert_int_equal(h.v[1].item, 0);
        assert_int_equal(h.v[2].item, 5);
        assert_int_equal(h.v[3].item, 3);
        assert_int_equal(h.v[3].start, 14);
        litset_free(s);

        /* table cells: states times byte classes (one for bytes in no literal) */
        assert_int_equal(litset_new(100, 12, false, &s), 0);
        assert_int_equal(litset_add(s, "ab", 2, 0), 0);        /* 3 states x 3 classes */
        assert_int_equal(litset_add(s, "c", 1, 1), -E2BIG);    /* 4 x 4 */
        assert_int_equal(litset_add(s, "ba", 2, 1), -E2BIG);   /* 5 x 3 */
        assert_int_equal(litset_add(s, "b", 1, 1), 0);         /* 4 x 3 */
        assert_int_equal(litset_classes(s), 3);
        litset_free(s);

        assert_int_equal(litset_new(LITSET_MAX_STATES + 1, 10, false, &s), -EINVAL);
}

/* Against the obvious search, on random literals and texts over a small
 * alphabet (so that they overlap and repeat a lot). */
static void test_against_naive(void **state) {
        static const char alphabet[] = "abcA";
        unsigned seed = 12345;
        for (unsigned round = 0; round < 200; round++) {
                char lits[24][8];
                size_t lens[24], n_lits = 1 + round % 24;
                bool fold = round & 1;
                LitSet *s = NULL;
                assert_int_equal(litset_new(1000, 100000, fold, &s), 0);
                for (size_t i = 0; i < n_lits; i++) {
                        lens[i] = 1 + (seed = seed * 1103515245 + 12345) % 6;
                        for (size_t k = 0; k < lens[i]; k++)
                                lits[i][k] = alphabet[(seed = seed * 1103515245 + 12345) >> 16 & 3];
                        assert_int_equal(litset_add(s, lits[i], lens[i], (uint32_t) i), 0);
                }
                assert_int_equal(litset_build(s), 0);
                char text[64];
                size_t n = (seed = seed * 1103515245 + 12345) >> 16 & 63;
                for (size_t k = 0; k < n; k++)
                        text[k] = alphabet[(seed = seed * 1103515245 + 12345) >> 16 & 3];
                Hits got, want = { 0 };
                scan_sorted(s, text, n, &got);
                for (size_t j = 0; j < n; j++)
                        for (size_t i = 0; i < n_lits; i++) {
                                bool eq = j + lens[i] <= n;
                                for (size_t k = 0; eq && k < lens[i]; k++) {
                                        char a = text[j + k], b = lits[i][k];
                                        eq = fold ? (a | 0x20) == (b | 0x20) : a == b;
                                }
                                if (eq)
                                        want.v[want.n++] = (struct hit) { .item = (uint32_t) i, .start = j };
                        }
                qsort(want.v, want.n, sizeof want.v[0], hit_cmp);
                assert_int_equal(got.n, want.n);
                for (size_t i = 0; i < want.n; i++) {
                        assert_int_equal(got.v[i].item, want.v[i].item);
                        assert_int_equal(got.v[i].start, want.v[i].start);
                }
                litset_free(s);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_overlapping),
                cmocka_unit_test(test_fold_case),
                cmocka_unit_test(test_bounds),
                cmocka_unit_test(test_against_naive),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
