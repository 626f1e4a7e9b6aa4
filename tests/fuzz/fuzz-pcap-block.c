/* SPDX-License-Identifier: MIT */
/*
 * The capture file's block reader against libpcap alone: the input becomes
 * a capture file (its first byte picks a classic pcap header in either byte
 * order, micro- or nanosecond, and a snapshot length, the rest is records;
 * or the input is the whole file), read both ways.  Every record, and how
 * the file ends (its end, or the same error), must be the same.  The block
 * size is small so that records straddle refills; the records the reader
 * handed out from its buffer are checked intact at each refill.
 */
#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "pcap-block.h"

#define MAX_RECORDS 256

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct rec {
        struct pcap_pkthdr h;
        uint8_t *data;
        const uint8_t *held;    /* where the block reader's data lay */
};

static pcap_t *open_fd(int fd) {
        char err[PCAP_ERRBUF_SIZE], path[64];
        /* a file description of its own: from the start, its own offset */
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        int d = open(path, O_RDONLY | O_CLOEXEC);
        if (d < 0)
                return NULL;
        FILE *f = fdopen(d, "r");
        if (!f) {
                close(d);
                return NULL;
        }
        pcap_t *p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_MICRO, err);
        if (!p)
                fclose(f);
        return p;
}

static void put32(uint8_t *p, uint32_t v, bool big_endian) {
        for (int i = 0; i < 4; i++)
                p[big_endian ? i : 3 - i] = (uint8_t) (v >> (24 - 8 * i));
}

static int read_libpcap(int fd, struct rec *r, size_t *ret_n, char *error) {
        pcap_t *p = open_fd(fd);
        size_t n = 0;
        int end = 0;
        if (!p)
                return -EINVAL;
        while (n < MAX_RECORDS) {
                struct pcap_pkthdr *h;
                const u_char *d;
                int k = pcap_next_ex(p, &h, &d);
                if (k == PCAP_ERROR_BREAK)
                        break;
                if (k < 0) {
                        snprintf(error, PCAP_ERRBUF_SIZE, "%s", pcap_geterr(p));
                        end = -1;
                        break;
                }
                r[n].h = *h;
                r[n].data = malloc(h->caplen + 1);
                memcpy(r[n].data, d, h->caplen);
                n++;
        }
        pcap_close(p);
        *ret_n = n;
        return end;
}

static int read_blocks(int fd, size_t block, struct rec *r, size_t *ret_n, char *error) {
        pcap_t *p = open_fd(fd);
        struct pcapblk_reader *rd;
        size_t n = 0, first_held = 0;
        int end = 0;
        if (!p)
                return -EINVAL;
        if (pcapblk_reader_new(p, block, &rd) < 0)
                abort();
        while (n < MAX_RECORDS) {
                struct pcap_pkthdr h;
                const uint8_t *d;
                bool kept;
                int k = pcapblk_reader_next(rd, &h, &d, &kept);
                if (k == -EAGAIN) {
                        for (size_t i = first_held; i < n; i++)
                                if (r[i].held && memcmp(r[i].held, r[i].data, r[i].h.caplen) != 0)
                                        abort();
                        first_held = n;
                        pcapblk_reader_fill(rd);
                        continue;
                }
                if (k == 0)
                        break;
                if (k < 0) {
                        snprintf(error, PCAP_ERRBUF_SIZE, "%s", pcapblk_reader_error(rd));
                        end = -1;
                        break;
                }
                r[n].h = h;
                r[n].data = malloc(h.caplen + 1);
                memcpy(r[n].data, d, h.caplen);
                r[n].held = kept ? d : NULL;
                n++;
        }
        uint64_t nb, nl;
        pcapblk_reader_counts(rd, &nb, &nl);
        if (nb + nl != n)
                abort();
        pcapblk_reader_free(rd);
        pcap_close(p);
        *ret_n = n;
        return end;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static const uint32_t snaplens[] = { 64, 128, 1514, 65535, 262144, 0 };
        if (size < 1 || size > 1 << 20)
                return 0;
        uint8_t sel = data[0];
        int fd = memfd_create("fuzz-pcap-block", MFD_CLOEXEC);
        if (fd < 0)
                return 0;
        if (sel & 0x80) {
                /* the input is the file */
                if (write(fd, data + 1, size - 1) != (ssize_t) (size - 1))
                        abort();
        } else {
                bool be = sel & 1, nsec = sel & 2;
                uint8_t h[24] = { 0 };
                put32(h, nsec ? 0xa1b23c4du : 0xa1b2c3d4u, be);
                h[be ? 5 : 4] = 2;
                h[be ? 7 : 6] = 4;
                put32(h + 16, snaplens[(sel >> 2) % 6], be);
                put32(h + 20, 1, be);
                if (write(fd, h, sizeof h) != (ssize_t) sizeof h ||
                    write(fd, data + 1, size - 1) != (ssize_t) (size - 1))
                        abort();
        }

        static struct rec a[MAX_RECORDS], b[MAX_RECORDS];
        char ea[PCAP_ERRBUF_SIZE] = "", eb[PCAP_ERRBUF_SIZE] = "";
        size_t na = 0, nb = 0;
        int ra = read_libpcap(fd, a, &na, ea);
        if (ra == -EINVAL && (sel & 0x80) == 0)
                abort();        /* the header written above opens */
        int rb = ra == -EINVAL ? -EINVAL : read_blocks(fd, (sel & 0x40) ? 1 << 20 : 64, b, &nb, eb);
        if (ra != rb || na != nb || strcmp(ea, eb) != 0)
                abort();
        for (size_t i = 0; i < na; i++) {
                if (a[i].h.ts.tv_sec != b[i].h.ts.tv_sec || a[i].h.ts.tv_usec != b[i].h.ts.tv_usec ||
                    a[i].h.caplen != b[i].h.caplen || a[i].h.len != b[i].h.len ||
                    memcmp(a[i].data, b[i].data, a[i].h.caplen) != 0)
                        abort();
                free(a[i].data);
                free(b[i].data);
        }
        close(fd);
        return 0;
}
