/* SPDX-License-Identifier: MIT */
/*
 * A capture file read in large blocks.  libpcap opens the file and checks
 * its header (link type, version); for a classic pcap file (version 2.4,
 * either byte order, micro- or nanosecond time stamps) the records are then
 * taken straight from a buffer that pread(2) fills a MiB at a time: no copy
 * and no stdio call per record.  Any record that is not plain (caplen above
 * the snapshot length or above the length on the wire, cut short by the end
 * of the file, a read error) is handed to libpcap's pcap_next_ex() at its
 * offset, which adjusts, refuses or reports it as it always does; block
 * reading resumes after it.  Other files (pcapng, older versions, the
 * modified formats, pipes) are read by libpcap alone.
 *
 * Either way a record comes out as libpcap 1.10 hands it over with
 * microsecond precision: caplen and len as written; the time stamp fields
 * (nanoseconds divided by 1000) signed 32-bit numbers in a file of the
 * host's byte order, unsigned in the other one (libpcap's byte swap works
 * on unsigned values), so a top bit set means 1901 in one and 2038 in the
 * other.
 */
#pragma once

#include <pcap/pcap.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PCAPBLK_FILE_HEADER 24
#define PCAPBLK_RECORD_HEADER 16
#define PCAPBLK_MAX_CAPLEN 262144u      /* libpcap's largest for Ethernet */

/* The format of a classic pcap file. */
struct pcapblk_format {
        bool big_endian;
        bool nsec;              /* nanosecond time stamps */
        bool swapped;           /* not the host's byte order: unsigned time stamps */
        uint32_t snaplen;       /* the snapshot length libpcap applies */
};

/* One record as it lies in the buffer. */
struct pcapblk_record {
        int64_t sec, usec;
        uint32_t caplen, len;
        const uint8_t *data;    /* caplen bytes, in the buffer */
};

/* A file header the block reader takes (0), or -EPROTONOSUPPORT. */
int pcapblk_format_parse(const uint8_t *p, size_t len, uint32_t snaplen, struct pcapblk_format *ret);

/* The record at the start of p[len]: its size (header + data, > 0) with
 * *ret filled; 0 when p holds less than all of it; -EBADMSG when it is not
 * plain and goes to libpcap. */
int pcapblk_record_parse(const struct pcapblk_format *f, const uint8_t *p, size_t len, struct pcapblk_record *ret);

struct pcapblk_reader;

/* A reader for the capture file libpcap has just opened (pcap_open_offline
 * or pcap_fopen_offline, nothing read yet).  It does not own `p`. */
int pcapblk_reader_new(pcap_t *p, size_t block_size, struct pcapblk_reader **ret);
struct pcapblk_reader *pcapblk_reader_free(struct pcapblk_reader *r);

/* The next record into *h and *ret_data.  Returns 1; 0 at the end of the
 * file; -EAGAIN when the buffer must be refilled: the caller lets go of
 * every record it still holds from the buffer, calls pcapblk_reader_fill()
 * and asks again; another negative errno on an error (the message from
 * pcapblk_reader_error()).  *ret_kept tells whether the data stays valid
 * until that refill (true: from the buffer) or only until the next call
 * (false: libpcap's own buffer). */
int pcapblk_reader_next(struct pcapblk_reader *r, struct pcap_pkthdr *h, const uint8_t **ret_data, bool *ret_kept);
void pcapblk_reader_fill(struct pcapblk_reader *r);
const char *pcapblk_reader_error(const struct pcapblk_reader *r);

/* Records taken from the buffer, and read by libpcap. */
void pcapblk_reader_counts(const struct pcapblk_reader *r, uint64_t *ret_block, uint64_t *ret_libpcap);
