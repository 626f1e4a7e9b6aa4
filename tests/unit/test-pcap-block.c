/* SPDX-License-Identifier: MIT */
/* The capture file's block reader (plugins/lldp/pcap-block.c): records
 * decoded from the buffer, and files read with it record for record as
 * libpcap alone reads them, odd records included. */
#include <errno.h>
#include <pcap/pcap.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "pcap-block.h"

static const bool host_big_endian = __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__;

static void put32(uint8_t *p, uint32_t v, bool big_endian) {
        for (int i = 0; i < 4; i++)
                p[big_endian ? i : 3 - i] = (uint8_t) (v >> (24 - 8 * i));
}

static void put16(uint8_t *p, uint16_t v, bool big_endian) {
        p[big_endian ? 0 : 1] = (uint8_t) (v >> 8);
        p[big_endian ? 1 : 0] = (uint8_t) v;
}

/* ---- a capture file written byte by byte ---- */

struct file {
        uint8_t *p;
        size_t len;
        bool big_endian;
};

static void file_header(struct file *f, bool big_endian, bool nsec, uint16_t major, uint16_t minor, uint32_t snaplen) {
        f->p = realloc(f->p, 24);
        assert_non_null(f->p);
        f->big_endian = big_endian;
        put32(f->p, nsec ? 0xa1b23c4du : 0xa1b2c3d4u, big_endian);
        put16(f->p + 4, major, big_endian);
        put16(f->p + 6, minor, big_endian);
        put32(f->p + 8, 0, big_endian);
        put32(f->p + 12, 0, big_endian);
        put32(f->p + 16, snaplen, big_endian);
        put32(f->p + 20, 1, big_endian);       /* Ethernet */
        f->len = 24;
}

/* A record of `caplen` bytes (a made-up Ethernet frame) claiming `len`. */
static void file_record(struct file *f, uint32_t sec, uint32_t frac, uint32_t caplen, uint32_t len) {
        f->p = realloc(f->p, f->len + 16 + caplen);
        assert_non_null(f->p);
        uint8_t *r = f->p + f->len;
        put32(r, sec, f->big_endian);
        put32(r + 4, frac, f->big_endian);
        put32(r + 8, caplen, f->big_endian);
        put32(r + 12, len, f->big_endian);
        for (uint32_t i = 0; i < caplen; i++)
                r[16 + i] = (uint8_t) (i * 7 + sec + caplen);
        f->len += 16 + caplen;
}

static char tmpdir[] = "/tmp/test-pcap-block-XXXXXX";

static const char *file_write(const struct file *f, const char *name) {
        static char path[256];
        snprintf(path, sizeof path, "%s/%s", tmpdir, name);
        FILE *o = fopen(path, "we");
        assert_non_null(o);
        assert_int_equal(fwrite(f->p, 1, f->len, o), f->len);
        assert_int_equal(fclose(o), 0);
        return path;
}

/* ---- a file read to its end, one way or the other ---- */

struct run {
        size_t n;
        struct pcap_pkthdr h[64];
        uint8_t *data[64];
        int end;                /* 0 = end of file, < 0 = error */
        char error[PCAP_ERRBUF_SIZE];
        uint64_t n_block, n_libpcap;
        size_t refills;
};

static void run_free(struct run *r) {
        for (size_t i = 0; i < r->n; i++)
                free(r->data[i]);
}

static pcap_t *open_file(const char *path) {
        char err[PCAP_ERRBUF_SIZE];
        pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_MICRO, err);
        if (!p)
                fail_msg("%s: %s", path, err);
        return p;
}

static void keep(struct run *r, const struct pcap_pkthdr *h, const uint8_t *data) {
        assert_true(r->n < 64);
        r->h[r->n] = *h;
        r->data[r->n] = malloc(h->caplen + 1);
        memcpy(r->data[r->n], data, h->caplen);
        r->n++;
}

static void read_libpcap(const char *path, struct run *r) {
        pcap_t *p = open_file(path);
        *r = (struct run) { .n = 0 };
        for (;;) {
                struct pcap_pkthdr *h;
                const u_char *d;
                int k = pcap_next_ex(p, &h, &d);
                if (k == PCAP_ERROR_BREAK)
                        break;
                if (k < 0) {
                        r->end = -EBADMSG;
                        snprintf(r->error, sizeof r->error, "%s", pcap_geterr(p));
                        break;
                }
                keep(r, h, d);
        }
        pcap_close(p);
}

/* The plugin's way: records from the buffer are let go of at each refill
 * (here: checked against a copy taken when they came). */
static void read_blocks(const char *path, size_t block_size, struct run *r) {
        pcap_t *p = open_file(path);
        struct pcapblk_reader *rd;
        const uint8_t *held[64];
        size_t first_held = 0;

        *r = (struct run) { .n = 0 };
        assert_int_equal(pcapblk_reader_new(p, block_size, &rd), 0);
        for (;;) {
                struct pcap_pkthdr h;
                const uint8_t *d;
                bool kept;
                int k = pcapblk_reader_next(rd, &h, &d, &kept);
                if (k == -EAGAIN) {
                        /* what the buffer handed out is intact until now */
                        for (size_t i = first_held; i < r->n; i++)
                                if (held[i])
                                        assert_memory_equal(held[i], r->data[i], r->h[i].caplen);
                        first_held = r->n;
                        pcapblk_reader_fill(rd);
                        r->refills++;
                        continue;
                }
                if (k == 0)
                        break;
                if (k < 0) {
                        r->end = k;
                        snprintf(r->error, sizeof r->error, "%s", pcapblk_reader_error(rd));
                        break;
                }
                assert_int_equal(k, 1);
                held[r->n] = kept ? d : NULL;
                keep(r, &h, d);
        }
        pcapblk_reader_counts(rd, &r->n_block, &r->n_libpcap);
        pcapblk_reader_free(rd);
        pcap_close(p);
}

/* Read both ways; the same records, the same end. */
static void same_as_libpcap(const char *path, size_t block_size, struct run *ret) {
        struct run a, b;
        read_libpcap(path, &a);
        read_blocks(path, block_size, &b);
        assert_int_equal(a.n, b.n);
        for (size_t i = 0; i < a.n; i++) {
                assert_int_equal(a.h[i].ts.tv_sec, b.h[i].ts.tv_sec);
                assert_int_equal(a.h[i].ts.tv_usec, b.h[i].ts.tv_usec);
                assert_int_equal(a.h[i].caplen, b.h[i].caplen);
                assert_int_equal(a.h[i].len, b.h[i].len);
                assert_memory_equal(a.data[i], b.data[i], a.h[i].caplen);
        }
        assert_int_equal(a.end < 0, b.end < 0);
        assert_string_equal(a.error, b.error);
        assert_int_equal(b.n_block + b.n_libpcap, b.n);
        run_free(&a);
        *ret = b;
}

/* ---- record decoding ---- */

static void test_format(void **state) {
        struct file f = { 0 };
        struct pcapblk_format fmt;

        for (int be = 0; be < 2; be++)
                for (int nsec = 0; nsec < 2; nsec++) {
                        file_header(&f, be, nsec, 2, 4, 65535);
                        assert_int_equal(pcapblk_format_parse(f.p, f.len, 65535, &fmt), 0);
                        assert_int_equal(fmt.big_endian, be);
                        assert_int_equal(fmt.nsec, nsec);
                        assert_int_equal(fmt.swapped, be != host_big_endian);
                        assert_int_equal(fmt.snaplen, 65535);
                }
        /* libpcap's view of the snapshot length, at most its maximum */
        assert_int_equal(pcapblk_format_parse(f.p, f.len, 1u << 30, &fmt), 0);
        assert_int_equal(fmt.snaplen, PCAPBLK_MAX_CAPLEN);
        assert_int_equal(pcapblk_format_parse(f.p, 23, 65535, &fmt), -EPROTONOSUPPORT);
        file_header(&f, false, false, 2, 3, 65535);
        assert_int_equal(pcapblk_format_parse(f.p, f.len, 65535, &fmt), -EPROTONOSUPPORT);
        file_header(&f, true, false, 1, 4, 65535);
        assert_int_equal(pcapblk_format_parse(f.p, f.len, 65535, &fmt), -EPROTONOSUPPORT);
        static const uint8_t pcapng[24] = { 0x0a, 0x0d, 0x0d, 0x0a, 0x1c, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a };
        assert_int_equal(pcapblk_format_parse(pcapng, sizeof pcapng, 65535, &fmt), -EPROTONOSUPPORT);
        free(f.p);
}

static void test_record(void **state) {
        struct file f = { 0 };
        struct pcapblk_format fmt;
        struct pcapblk_record rec;

        for (int be = 0; be < 2; be++) {
                file_header(&f, be, false, 2, 4, 128);
                assert_int_equal(pcapblk_format_parse(f.p, f.len, 128, &fmt), 0);
                file_record(&f, 1700000000, 123456, 60, 64);
                const uint8_t *r = f.p + 24;
                assert_int_equal(pcapblk_record_parse(&fmt, r, 76, &rec), 76);
                assert_int_equal(rec.sec, 1700000000);
                assert_int_equal(rec.usec, 123456);
                assert_int_equal(rec.caplen, 60);
                assert_int_equal(rec.len, 64);
                assert_ptr_equal(rec.data, r + 16);
                /* less than all of it: asks for more */
                assert_int_equal(pcapblk_record_parse(&fmt, r, 75, &rec), 0);
                assert_int_equal(pcapblk_record_parse(&fmt, r, 15, &rec), 0);
                assert_int_equal(pcapblk_record_parse(&fmt, r, 0, &rec), 0);

                /* caplen above the snapshot length, above len: libpcap's */
                f.len = 24;
                file_record(&f, 1, 2, 129, 200);
                assert_int_equal(pcapblk_record_parse(&fmt, f.p + 24, f.len - 24, &rec), -EBADMSG);
                assert_int_equal(pcapblk_record_parse(&fmt, f.p + 24, 16, &rec), -EBADMSG);
                f.len = 24;
                file_record(&f, 1, 2, 100, 99);
                assert_int_equal(pcapblk_record_parse(&fmt, f.p + 24, f.len - 24, &rec), -EBADMSG);
        }
        free(f.p);
}

/* Top bits of the time stamp fields: libpcap reads them signed in a file of
 * the host's byte order and unsigned in the other. */
static void test_record_top_bit(void **state) {
        struct file f = { 0 };
        struct pcapblk_format fmt;
        struct pcapblk_record rec;

        for (int be = 0; be < 2; be++)
                for (int nsec = 0; nsec < 2; nsec++) {
                        file_header(&f, be, nsec, 2, 4, 65535);
                        assert_int_equal(pcapblk_format_parse(f.p, f.len, 65535, &fmt), 0);
                        file_record(&f, 0x80000001u, 0xfffffc18u, 20, 20);      /* frac: -1000 signed */
                        assert_int_equal(pcapblk_record_parse(&fmt, f.p + 24, f.len - 24, &rec), 36);
                        if (be == host_big_endian) {
                                assert_int_equal(rec.sec, -2147483647);
                                assert_int_equal(rec.usec, nsec ? -1 : -1000);
                        } else {
                                assert_int_equal(rec.sec, 2147483649);
                                assert_int_equal(rec.usec, nsec ? 4294966 : 4294966296);
                        }
                }
        free(f.p);
}

/* ---- files, against libpcap ---- */

static void plain_file(struct file *f, bool be, bool nsec, uint32_t snaplen, size_t n) {
        file_header(f, be, nsec, 2, 4, snaplen);
        for (size_t i = 0; i < n; i++)
                file_record(f, 1700000000 + (uint32_t) i, (uint32_t) (i * 1001), (uint32_t) (14 + i % 50),
                            (uint32_t) (14 + i % 50 + i % 3));
}

static void test_file_byte_orders(void **state) {
        struct file f = { 0 };
        struct run r;
        for (int be = 0; be < 2; be++)
                for (int nsec = 0; nsec < 2; nsec++) {
                        plain_file(&f, be, nsec, 128, 60);
                        const char *path = file_write(&f, "plain.pcap");
                        /* a small block: many refills, records across their edges */
                        same_as_libpcap(path, 100, &r);
                        assert_int_equal(r.n, 60);
                        assert_int_equal(r.end, 0);
                        assert_int_equal(r.n_block, 60);
                        assert_int_equal(r.n_libpcap, 0);
                        assert_true(r.refills > 10);
                        assert_int_equal(r.h[1].ts.tv_sec, 1700000001);
                        assert_int_equal(r.h[1].ts.tv_usec, nsec ? 1 : 1001);
                        run_free(&r);
                        same_as_libpcap(path, 1 << 20, &r);
                        assert_int_equal(r.n_block, 60);
                        run_free(&r);
                }
        free(f.p);
}

static void test_file_top_bit(void **state) {
        struct file f = { 0 };
        struct run r;
        for (int be = 0; be < 2; be++)
                for (int nsec = 0; nsec < 2; nsec++) {
                        file_header(&f, be, nsec, 2, 4, 65535);
                        file_record(&f, 0x80000000u, 0x80000000u, 30, 30);
                        file_record(&f, 0xffffffffu, 999999, 30, 30);
                        file_record(&f, 1700000000, 0xfffffffeu, 30, 30);
                        same_as_libpcap(file_write(&f, "top.pcap"), 1 << 20, &r);
                        assert_int_equal(r.n, 3);
                        assert_int_equal(r.n_block, 3);
                        if (be == host_big_endian)
                                assert_int_equal(r.h[1].ts.tv_sec, -1);
                        else
                                assert_int_equal(r.h[1].ts.tv_sec, 4294967295);
                        run_free(&r);
                }
        free(f.p);
}

static void test_file_truncated(void **state) {
        struct file f = { 0 };
        struct run r;
        for (int be = 0; be < 2; be++) {
                /* the last record's data cut short */
                plain_file(&f, be, false, 128, 10);
                f.len -= 5;
                same_as_libpcap(file_write(&f, "cut-data.pcap"), 100, &r);
                assert_int_equal(r.n, 9);
                assert_true(r.end < 0);
                assert_non_null(strstr(r.error, "truncated"));
                assert_int_equal(r.n_libpcap, 0);
                run_free(&r);

                /* ... its header */
                plain_file(&f, be, false, 128, 10);
                f.p = realloc(f.p, f.len + 7);
                assert_non_null(f.p);
                memset(f.p + f.len, 0x11, 7);
                f.len += 7;
                same_as_libpcap(file_write(&f, "cut-header.pcap"), 1 << 20, &r);
                assert_int_equal(r.n, 10);
                assert_true(r.end < 0);
                assert_non_null(strstr(r.error, "truncated"));
                run_free(&r);

                /* no record at all */
                plain_file(&f, be, false, 128, 0);
                same_as_libpcap(file_write(&f, "empty.pcap"), 1 << 20, &r);
                assert_int_equal(r.n, 0);
                assert_int_equal(r.end, 0);
                run_free(&r);
        }
        free(f.p);
}

static void test_file_odd_records(void **state) {
        struct file f = { 0 };
        struct run r;
        for (int be = 0; be < 2; be++) {
                /* caplen above the snapshot length: libpcap cuts it, and
                 * block reading goes on after it */
                plain_file(&f, be, false, 128, 5);
                file_record(&f, 1, 2, 200, 300);
                file_record(&f, 3, 4, 20, 20);
                file_record(&f, 5, 6, 129, 129);
                file_record(&f, 7, 8, 20, 20);
                same_as_libpcap(file_write(&f, "over-snaplen.pcap"), 1 << 20, &r);
                assert_int_equal(r.n, 9);
                assert_int_equal(r.end, 0);
                assert_int_equal(r.h[5].caplen, 128);
                assert_int_equal(r.h[5].len, 300);
                assert_int_equal(r.n_libpcap, 2);
                assert_int_equal(r.n_block, 7);
                run_free(&r);

                /* caplen above len: passed on by libpcap as it is */
                plain_file(&f, be, false, 128, 3);
                file_record(&f, 1, 2, 60, 50);
                file_record(&f, 3, 4, 20, 20);
                same_as_libpcap(file_write(&f, "over-len.pcap"), 100, &r);
                assert_int_equal(r.n, 5);
                assert_int_equal(r.h[3].caplen, 60);
                assert_int_equal(r.h[3].len, 50);
                assert_int_equal(r.n_libpcap, 1);
                run_free(&r);

                /* past libpcap's maximum: refused, with its message */
                plain_file(&f, be, false, 65535, 3);
                file_record(&f, 1, 2, PCAPBLK_MAX_CAPLEN + 1, PCAPBLK_MAX_CAPLEN + 1);
                same_as_libpcap(file_write(&f, "insane.pcap"), 1 << 20, &r);
                assert_int_equal(r.n, 3);
                assert_true(r.end < 0);
                assert_non_null(strstr(r.error, "invalid packet capture length"));
                run_free(&r);

                /* an odd record as the last, cut short */
                plain_file(&f, be, false, 128, 2);
                file_record(&f, 1, 2, 150, 150);
                f.len -= 40;
                same_as_libpcap(file_write(&f, "odd-cut.pcap"), 1 << 20, &r);
                assert_int_equal(r.n, 2);
                assert_true(r.end < 0);
                run_free(&r);
        }
        free(f.p);
}

/* Files the block reader leaves to libpcap entirely. */
static void test_file_libpcap_only(void **state) {
        struct file f = { 0 };
        struct run r;

        /* version 2.3: caplen and len may be swapped */
        file_header(&f, false, false, 2, 3, 128);
        file_record(&f, 1, 2, 20, 30);
        file_record(&f, 3, 4, 40, 30);
        same_as_libpcap(file_write(&f, "v23.pcap"), 1 << 20, &r);
        assert_int_equal(r.n, 2);
        assert_int_equal(r.n_block, 0);
        assert_int_equal(r.n_libpcap, 2);
        run_free(&r);

        /* pcapng (by hand: section header, Ethernet interface, one
         * enhanced packet block) */
        static const uint8_t ng[] = {
                0x0a, 0x0d, 0x0d, 0x0a, 28, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a, 1, 0, 0, 0,
                0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 28, 0, 0, 0,
                1, 0, 0, 0, 20, 0, 0, 0, 1, 0, 0, 0, 0, 0, 4, 0, 20, 0, 0, 0,
                6, 0, 0, 0, 48, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
                14, 0, 0, 0, 14, 0, 0, 0,
                1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x88, 0xcc, 0, 0, 48, 0, 0, 0,
        };
        struct file g = { .p = malloc(sizeof ng), .len = sizeof ng };
        memcpy(g.p, ng, sizeof ng);
        same_as_libpcap(file_write(&g, "ng.pcapng"), 1 << 20, &r);
        assert_int_equal(r.n, 1);
        assert_int_equal(r.n_block, 0);
        assert_int_equal(r.n_libpcap, 1);
        assert_int_equal(r.h[0].caplen, 14);
        run_free(&r);
        free(g.p);
        free(f.p);
}

static int setup(void **state) {
        return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state) {
        char cmd[512];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
        return system(cmd) == 0 ? 0 : -1;
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_format),
                cmocka_unit_test(test_record),
                cmocka_unit_test(test_record_top_bit),
                cmocka_unit_test(test_file_byte_orders),
                cmocka_unit_test(test_file_top_bit),
                cmocka_unit_test(test_file_truncated),
                cmocka_unit_test(test_file_odd_records),
                cmocka_unit_test(test_file_libpcap_only),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
