/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "spool.h"

#define N 4000          /* about 4 MiB: several chunks */

/* The spool's mappings are anonymous: count the process's mappings. */
static size_t n_mappings(void) {
        FILE *f = fopen("/proc/self/maps", "re");
        assert_non_null(f);
        size_t n = 0;
        for (int c; (c = fgetc(f)) != EOF;)
                n += c == '\n';
        fclose(f);
        return n;
}

static void *free_all(void *p) {
        void **l = p;
        for (size_t i = 0; i < N; i++)
                spool_free(l[i]);
        return NULL;
}

static void *nothing(void *p) {
        return p;
}

static void test_alloc_and_free_elsewhere(void **state) {
        static void *l[N];
        Spool *s = NULL;
        pthread_t t;
        assert_int_equal(spool_new(&s), 0);
        /* a thread's stack (and malloc arena) stay mapped after it ends and
         * are reused by the next one: have them before counting */
        assert_int_equal(pthread_create(&t, NULL, nothing, NULL), 0);
        assert_int_equal(pthread_join(t, NULL), 0);
        size_t before = n_mappings();
        for (size_t i = 0; i < N; i++) {
                l[i] = spool_alloc(s, 1000 + i % 100);
                assert_non_null(l[i]);
                assert_int_equal((uintptr_t) l[i] % _Alignof(max_align_t), 0);
                memset(l[i], (int) (i & 0xff), 1000);
        }
        for (size_t i = 0; i < N; i++)
                assert_int_equal(((unsigned char *) l[i])[999], i & 0xff);     /* nothing overlaps */
        assert_true(n_mappings() > before);
        /* the writer thread frees them */
        assert_int_equal(pthread_create(&t, NULL, free_all, l), 0);
        assert_int_equal(pthread_join(t, NULL), 0);
        /* every chunk but the current one is gone; the current one goes with the spool */
        spool_unref(s);
        assert_true(n_mappings() <= before);
}

static void test_limits(void **state) {
        Spool *s = NULL;
        assert_int_equal(spool_new(&s), 0);
        assert_null(spool_alloc(s, SPOOL_MAX_ALLOC + 1));       /* the caller uses malloc */
        assert_null(spool_alloc(s, 0));
        void *p = spool_alloc(s, SPOOL_MAX_ALLOC);
        assert_non_null(p);
        spool_unref(s);         /* a record outlives the spool */
        memset(p, 1, SPOOL_MAX_ALLOC);
        spool_free(p);
        spool_free(NULL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_alloc_and_free_elsewhere),
                cmocka_unit_test(test_limits),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
