/* SPDX-License-Identifier: MIT */
/* Classic pcap files read in blocks, libpcap for the rest (pcap-block.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "pcap-block.h"

#define MAGIC_USEC 0xa1b2c3d4u
#define MAGIC_NSEC 0xa1b23c4du

struct pcapblk_reader {
        pcap_t *pcap;
        FILE *file;             /* libpcap's: positioned here before it reads a record */
        int fd;
        bool block;             /* false: every record through libpcap */
        bool eof;               /* the buffer holds the file's last bytes */
        bool failed;            /* a read failed: libpcap reads (and reports) from here on */
        struct pcapblk_format fmt;
        uint8_t *buf;
        size_t size;
        size_t at, end;         /* unread bytes: buf[at..end) */
        uint64_t offset;        /* file offset of buf[at] */
        uint64_t n_block, n_libpcap;
        char error[PCAP_ERRBUF_SIZE];
};

static uint32_t get32(const uint8_t *p, bool big_endian) {
        if (big_endian)
                return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | p[3];
        return (uint32_t) p[3] << 24 | (uint32_t) p[2] << 16 | (uint32_t) p[1] << 8 | p[0];
}

static uint16_t get16(const uint8_t *p, bool big_endian) {
        return big_endian ? (uint16_t) (p[0] << 8 | p[1]) : (uint16_t) (p[1] << 8 | p[0]);
}

int pcapblk_format_parse(const uint8_t *p, size_t len, uint32_t snaplen, struct pcapblk_format *ret) {
        if (len < PCAPBLK_FILE_HEADER)
                return -EPROTONOSUPPORT;
        uint32_t le = get32(p, false), be = get32(p, true);
        bool big_endian, nsec;
        if (le == MAGIC_USEC || le == MAGIC_NSEC)
                big_endian = false, nsec = le == MAGIC_NSEC;
        else if (be == MAGIC_USEC || be == MAGIC_NSEC)
                big_endian = true, nsec = be == MAGIC_NSEC;
        else
                return -EPROTONOSUPPORT;
        /* before 2.4 caplen and len may be swapped: libpcap knows how */
        if (get16(p + 4, big_endian) != 2 || get16(p + 6, big_endian) != 4)
                return -EPROTONOSUPPORT;
        *ret = (struct pcapblk_format) {
                .big_endian = big_endian,
                .nsec = nsec,
                .swapped = big_endian != (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__),
                .snaplen = snaplen < PCAPBLK_MAX_CAPLEN ? snaplen : PCAPBLK_MAX_CAPLEN,
        };
        return 0;
}

/* The body of pcapblk_record_parse(), inlined into the reader's loop. */
static inline __attribute__((always_inline)) int record_parse(const struct pcapblk_format *f, const uint8_t *p,
                                                              size_t len, struct pcapblk_record *ret) {
        if (len < PCAPBLK_RECORD_HEADER)
                return 0;
        uint32_t w[4];
        memcpy(w, p, sizeof w);
        if (f->swapped)
                for (size_t k = 0; k < 4; k++)
                        w[k] = __builtin_bswap32(w[k]);
        uint32_t caplen = w[2], wire = w[3];
        /* libpcap cuts the first to the snapshot length (or refuses it past
         * its maximum) and passes the second as it is: its business */
        if (caplen > f->snaplen || caplen > wire)
                return -EBADMSG;
        if (len - PCAPBLK_RECORD_HEADER < caplen)
                return 0;
        /* as libpcap reads them: signed, unless it had to swap them */
        uint32_t sec = w[0], frac = w[1];
        int64_t s = f->swapped ? (int64_t) sec : (int64_t) (int32_t) sec;
        int64_t fr = f->swapped ? (int64_t) frac : (int64_t) (int32_t) frac;
        *ret = (struct pcapblk_record) {
                .sec = s,
                .usec = f->nsec ? fr / 1000 : fr,
                .caplen = caplen,
                .len = wire,
                .data = p + PCAPBLK_RECORD_HEADER,
        };
        return (int) (PCAPBLK_RECORD_HEADER + caplen);
}

int pcapblk_record_parse(const struct pcapblk_format *f, const uint8_t *p, size_t len, struct pcapblk_record *ret) {
        return record_parse(f, p, len, ret);
}

int pcapblk_reader_new(pcap_t *p, size_t block_size, struct pcapblk_reader **ret) {
        struct pcapblk_reader *r = calloc(1, sizeof *r);
        if (!r)
                return -ENOMEM;
        *r = (struct pcapblk_reader) { .pcap = p, .file = pcap_file(p), .fd = -EBADF };

        /* only a file libpcap has read nothing of but the header */
        uint8_t h[PCAPBLK_FILE_HEADER];
        if (r->file && (r->fd = fileno(r->file)) >= 0 && ftello(r->file) == PCAPBLK_FILE_HEADER &&
            pread(r->fd, h, sizeof h, 0) == (ssize_t) sizeof h &&
            pcapblk_format_parse(h, sizeof h, (uint32_t) pcap_snapshot(p), &r->fmt) == 0) {
                r->size = block_size > PCAPBLK_RECORD_HEADER + r->fmt.snaplen
                                  ? block_size
                                  : PCAPBLK_RECORD_HEADER + r->fmt.snaplen;
                r->buf = malloc(r->size);
                r->block = r->buf != NULL;
                r->offset = PCAPBLK_FILE_HEADER;
        }
        *ret = r;
        return 0;
}

struct pcapblk_reader *pcapblk_reader_free(struct pcapblk_reader *r) {
        if (r) {
                free(r->buf);
                free(r);
        }
        return NULL;
}

void pcapblk_reader_fill(struct pcapblk_reader *r) {
        if (!r->block)
                return;
        size_t left = r->end - r->at;
        memmove(r->buf, r->buf + r->at, left);
        r->at = 0;
        r->end = left;
        if (r->end == r->size) {
                /* a record larger than the block cannot be: libpcap's then */
                r->failed = true;
                return;
        }
        for (;;) {
                ssize_t n = pread(r->fd, r->buf + r->end, r->size - r->end, (off_t) (r->offset + r->end));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        r->failed = true;
                else if (n == 0)
                        r->eof = true;
                else
                        r->end += (size_t) n;
                return;
        }
}

/* One record through libpcap, from the reader's offset. */
static int next_libpcap(struct pcapblk_reader *r, struct pcap_pkthdr *h, const uint8_t **ret_data) {
        if (r->block) {
                if (fseeko(r->file, (off_t) r->offset, SEEK_SET) < 0) {
                        snprintf(r->error, sizeof r->error, "cannot seek in the capture: %s", strerror(errno));
                        return -EIO;
                }
                /* the buffer is stale: refilled from where libpcap stops */
                r->at = r->end = 0;
                r->eof = false;
                if (r->failed)
                        r->block = false;
        }
        struct pcap_pkthdr *ph;
        const u_char *d;
        int k = pcap_next_ex(r->pcap, &ph, &d);
        if (k == PCAP_ERROR_BREAK)
                return 0;       /* end of file */
        if (k < 0) {
                snprintf(r->error, sizeof r->error, "%s", pcap_geterr(r->pcap));
                return -EBADMSG;
        }
        if (r->block) {
                off_t o = ftello(r->file);
                if (o < 0) {
                        snprintf(r->error, sizeof r->error, "cannot seek in the capture: %s", strerror(errno));
                        return -EIO;
                }
                r->offset = (uint64_t) o;
        }
        r->n_libpcap++;
        *h = *ph;
        *ret_data = d;
        return 1;
}

int pcapblk_reader_next(struct pcapblk_reader *r, struct pcap_pkthdr *h, const uint8_t **ret_data, bool *ret_kept) {
        *ret_kept = false;
        if (!r->block)
                return next_libpcap(r, h, ret_data);

        struct pcapblk_record rec;
        int k = record_parse(&r->fmt, r->buf + r->at, r->end - r->at, &rec);
        if (k > 0) {
                r->at += (size_t) k;
                r->offset += (size_t) k;
                r->n_block++;
                h->ts.tv_sec = (time_t) rec.sec;
                h->ts.tv_usec = (suseconds_t) rec.usec;
                h->caplen = rec.caplen;
                h->len = rec.len;
                *ret_data = rec.data;
                *ret_kept = true;
                return 1;
        }
        if (k == 0 && !r->eof && !r->failed)
                return -EAGAIN;
        if (k == 0 && r->eof && r->at == r->end)
                return 0;
        /* not plain, cut short by the end of the file, or unreadable */
        return next_libpcap(r, h, ret_data);
}

const char *pcapblk_reader_error(const struct pcapblk_reader *r) {
        return r->error;
}

void pcapblk_reader_counts(const struct pcapblk_reader *r, uint64_t *ret_block, uint64_t *ret_libpcap) {
        *ret_block = r->n_block;
        *ret_libpcap = r->n_libpcap;
}
