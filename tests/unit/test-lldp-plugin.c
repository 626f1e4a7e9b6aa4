/* SPDX-License-Identifier: MIT */
/* The lldp plugin (build/plugins/lldp.so) in file mode, driven by a small host
 * of this test's own: captures written here with libpcap, then read through
 * the plugin's real start/loop/done/status path. */
#include <dlfcn.h>
#include <errno.h>
#include <pcap/pcap.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-event.h>
#include <unistd.h>

#include <cmocka.h>

#include "vendorwatch/plugin.h"
#include "vw-config.h"
#include "lldp-plugin.h"        /* LLDP_BATCH */

#define MAX_OBS (2 * LLDP_BATCH + 8)    /* sightings a test records */

/* ---- a minimal host ---- */

struct kv {
        const char *key;
        const char *str;        /* string value, or */
        int64_t num;            /* number (str == NULL) */
        bool is_bool;
};

struct vw_plugin_ctx {
        const struct kv *cfg;
        size_t n_cfg;
        bool oneshot;
        sd_event *event;
        bool done;
        char seen[MAX_OBS][64];     /* chassis IDs observed, in order */
        int32_t ttl[MAX_OBS], vlan[MAX_OBS];
        char source[MAX_OBS][8];
        char sys_name[MAX_OBS][16], port[MAX_OBS][16];
        uint64_t ref_in[MAX_OBS];           /* with observe_batch: the plugin's reference */
        bool batch;
        size_t n_obs;
        char last_warning[512];
        char last_error[512];
};

static void h_observe(struct vw_plugin_ctx *c, const struct vw_observation *o) {
        assert_true(c->n_obs < MAX_OBS);
        snprintf(c->seen[c->n_obs], sizeof c->seen[0], "%s", o->chassis_id ? o->chassis_id : "");
        snprintf(c->source[c->n_obs], sizeof c->source[0], "%s", o->source);
        snprintf(c->sys_name[c->n_obs], sizeof c->sys_name[0], "%s", o->sys_name ? o->sys_name : "");
        snprintf(c->port[c->n_obs], sizeof c->port[0], "%s", o->port_id ? o->port_id : "");
        c->ttl[c->n_obs] = o->ttl;
        c->vlan[c->n_obs] = o->vlan;
        assert_non_null(o->via.interface);
        assert_true(o->time_usec > 0);
        c->n_obs++;
}

static void h_log(struct vw_plugin_ctx *c, enum vw_log_level level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void h_log(struct vw_plugin_ctx *c, enum vw_log_level level, const char *fmt, ...) {
        char buf[512];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(buf, sizeof buf, fmt, ap);
        va_end(ap);
        fprintf(stderr, "lldp <%d>: %s\n", level, buf);
        if (level == VW_LOG_WARNING)
                snprintf(c->last_warning, sizeof c->last_warning, "%s", buf);
        if (level == VW_LOG_ERR)
                snprintf(c->last_error, sizeof c->last_error, "%s", buf);
}

static void h_done(struct vw_plugin_ctx *c) {
        c->done = true;
        sd_event_exit(c->event, 0);
}

static const struct kv *find(struct vw_plugin_ctx *c, const char *key) {
        for (size_t i = 0; i < c->n_cfg; i++)
                if (strcmp(c->cfg[i].key, key) == 0)
                        return &c->cfg[i];
        return NULL;
}

static int h_cfg_string(struct vw_plugin_ctx *c, const char *key, const char **ret) {
        const struct kv *k = find(c, key);
        if (!k)
                return -ENOENT;
        if (!k->str)
                return -EINVAL;
        *ret = k->str;
        return 0;
}

static int h_cfg_int(struct vw_plugin_ctx *c, const char *key, int64_t min, int64_t max, int64_t *ret) {
        const struct kv *k = find(c, key);
        if (!k)
                return -ENOENT;
        if (k->str || k->is_bool || k->num < min || k->num > max)
                return -EINVAL;
        *ret = k->num;
        return 0;
}

static int h_cfg_bool(struct vw_plugin_ctx *c, const char *key, bool *ret) {
        const struct kv *k = find(c, key);
        if (!k)
                return -ENOENT;
        if (!k->is_bool)
                return -EINVAL;
        *ret = k->num != 0;
        return 0;
}

static int h_cfg_strings(struct vw_plugin_ctx *c, const char *key, const char *const **ret, size_t *ret_n) {
        static const char *one[1];
        const struct kv *k = find(c, key);
        if (!k)
                return -ENOENT;
        one[0] = k->str;
        *ret = one;
        *ret_n = 1;
        return 0;
}

static int h_cfg_count(struct vw_plugin_ctx *c, const char *key, size_t *ret_n) {
        *ret_n = 0;
        return 0;
}

static int h_cfg_error(struct vw_plugin_ctx *c, const char *key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int h_cfg_error(struct vw_plugin_ctx *c, const char *key, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->last_error, sizeof c->last_error, fmt, ap);
        va_end(ap);
        return -EINVAL;
}

static char *h_cfg_path(struct vw_plugin_ctx *c, const char *path) {
        return strdup(path);
}

static bool h_oneshot(struct vw_plugin_ctx *c) {
        return c->oneshot;
}

/* A host that hands out a reference per sighting: 1000 + its number. */
static void h_observe_batch(struct vw_plugin_ctx *c, struct vw_sighting *s, size_t n) {
        for (size_t i = 0; i < n; i++) {
                /* the MACs as numbers, when given, are the texts */
                for (size_t k = 0; s[i].mac_values && k < s[i].obs->n_macs; k++) {
                        char t[18];
                        uint64_t v = s[i].mac_values[k];
                        if (!s[i].obs->macs[k])
                                continue;
                        snprintf(t, sizeof t, "%02x:%02x:%02x:%02x:%02x:%02x", (unsigned) (v >> 40) & 255,
                                 (unsigned) (v >> 32) & 255, (unsigned) (v >> 24) & 255, (unsigned) (v >> 16) & 255,
                                 (unsigned) (v >> 8) & 255, (unsigned) v & 255);
                        assert_string_equal(t, s[i].obs->macs[k]);
                }
                c->ref_in[c->n_obs] = s[i].ref;
                h_observe(c, s[i].obs);
                s[i].ref = 1000 + c->n_obs - 1;
        }
}

/* The host with and without observe_batch (an ABI 1 host lacks it). */
#define HOST_OPS                        \
        .observe = h_observe,           \
        .log = h_log,                   \
        .done = h_done,                 \
        .cfg_string = h_cfg_string,     \
        .cfg_int = h_cfg_int,           \
        .cfg_bool = h_cfg_bool,         \
        .cfg_strings = h_cfg_strings,   \
        .cfg_count = h_cfg_count,       \
        .cfg_error = h_cfg_error,       \
        .cfg_path = h_cfg_path,         \
        .oneshot = h_oneshot

static const struct vw_host_ops ops_batch = { HOST_OPS, .observe_batch = h_observe_batch };
static const struct vw_host_ops ops = { HOST_OPS };

static const struct vw_plugin *plugin;

static int setup(void **state) {
        void *h = dlopen(VW_BUILD_PLUGIN_DIR "/lldp.so", RTLD_NOW | RTLD_LOCAL);
        if (!h) {
                fprintf(stderr, "%s\n", dlerror());
                return -1;
        }
        plugin = dlsym(h, VW_PLUGIN_SYMBOL);
        return plugin && plugin->abi_version == VW_PLUGIN_ABI_VERSION ? 0 : -1;
}

/* The host struct lives only during start(), and is scribbled over after:
 * a plugin must not keep a pointer to it. */
static __attribute__((noinline)) int start_plugin(struct vw_plugin_ctx *c, void **state) {
        struct vw_host host = { .abi_version = VW_PLUGIN_ABI_VERSION, .ops = c->batch ? &ops_batch : &ops,
                                .event = c->event, .instance = "lldp" };
        int r = plugin->start(&host, c, false, state);
        memset(&host, 0xa5, sizeof host);
        __asm__ volatile("" : : "r"(&host) : "memory");
        return r;
}

/* Run the plugin over its config until done() or the loop exits. */
static int run(struct vw_plugin_ctx *c, char **ret_status) {
        void *state = NULL;
        int r;

        assert_int_equal(sd_event_new(&c->event), 0);
        r = start_plugin(c, &state);
        if (r >= 0) {
                r = sd_event_loop(c->event);
                if (ret_status)
                        *ret_status = plugin->status(state);
                plugin->stop(state);
        }
        sd_event_unref(c->event);
        return r;
}

/* ---- captures ---- */

static char tmpdir[] = "/tmp/test-lldp-plugin-XXXXXX";

#define ETH_LLDP(src_last) 0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e, 0x00, 0xe0, 0xfc, 0x00, 0x00, (src_last), 0x88, 0xcc
#define CHASSIS(last) 0x02, 0x07, 0x04, 0x00, 0xe0, 0xfc, 0x00, 0x01, (last) /* Chassis ID MAC 00:e0:fc:00:01:xx */
#define PORT 0x04, 0x05, 0x05, 'p', '0', '/', '1'                               /* Port ID ifname "p0/1" */
#define TTL(t) 0x06, 0x02, 0x00, (t)

static const uint8_t lldp_a[] = { ETH_LLDP(1), CHASSIS(1), PORT, TTL(120), 0x00, 0x00 };
static const uint8_t lldp_b_tagged[] = {
        0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e, 0x00, 0xe0, 0xfc, 0x00, 0x00, 0x02,
        0x81, 0x00, 0x00, 0x64,                         /* VLAN 100 */
        0x88, 0xcc, CHASSIS(2), PORT, TTL(120), 0x00, 0x00,
};
static const uint8_t lldp_c[] = { ETH_LLDP(3), CHASSIS(3), PORT, TTL(120), 0x00, 0x00 };
static const uint8_t lldp_a_bye[] = { ETH_LLDP(1), CHASSIS(1), PORT, TTL(0), 0x00, 0x00 };
static const uint8_t lldp_no_ttl[] = { ETH_LLDP(4), CHASSIS(4), PORT, 0x00, 0x00 };
static const uint8_t cdp[] = {
        0x01, 0x00, 0x0c, 0xcc, 0xcc, 0xcc, 0x00, 0x1b, 0x2b, 0x11, 0x22, 0x33,
        0x00, 0x12,                                     /* 802.3 length 18 */
        0xaa, 0xaa, 0x03, 0x00, 0x00, 0x0c, 0x20, 0x00, /* SNAP CDP */
        0x02, 0xb4, 0x00, 0x00,                         /* v2, holdtime 180 */
        0x00, 0x01, 0x00, 0x06, 'R', '1',               /* Device ID "R1" */
};
static const uint8_t ipv4[] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0xe0, 0xfc, 0x00, 0x00, 0x09, 0x08, 0x00, 0x45, 0x00,
};

struct frame {
        const uint8_t *p;
        size_t len;
};
#define F(x) { (x), sizeof(x) }

static void write_pcap(const char *path, int dlt, const struct frame *frames, size_t n) {
        pcap_t *p = pcap_open_dead(dlt, 65535);
        pcap_dumper_t *d = pcap_dump_open(p, path);
        assert_non_null(d);
        for (size_t i = 0; i < n; i++) {
                struct pcap_pkthdr h = {
                        .ts = { .tv_sec = 1700000000 + (time_t) i, .tv_usec = 0 },
                        .caplen = (bpf_u_int32) frames[i].len,
                        .len = (bpf_u_int32) frames[i].len,
                };
                pcap_dump((u_char *) d, &h, frames[i].p);
        }
        pcap_dump_close(d);
        pcap_close(p);
}

static void test_replay(void **state) {
        char path[256];
        snprintf(path, sizeof path, "%s/mixed.pcap", tmpdir);
        const struct frame frames[] = {
                F(lldp_a), F(lldp_b_tagged), F(cdp), F(lldp_no_ttl), F(ipv4), F(lldp_a_bye),
        };
        write_pcap(path, DLT_EN10MB, frames, sizeof frames / sizeof frames[0]);

        const struct kv cfg[] = { { "pcap_file", path } };
        struct vw_plugin_ctx c = { .cfg = cfg, .n_cfg = 1, .oneshot = true };
        char *status = NULL;
        assert_int_equal(run(&c, &status), 0);
        assert_true(c.done);
        assert_int_equal(c.n_obs, 4);
        assert_string_equal(c.seen[0], "00:e0:fc:00:01:01");
        assert_string_equal(c.seen[1], "00:e0:fc:00:01:02");
        assert_int_equal(c.vlan[1], 100);
        assert_string_equal(c.seen[2], "R1");
        assert_string_equal(c.source[2], "cdp");
        assert_string_equal(c.seen[3], "00:e0:fc:00:01:01");
        assert_int_equal(c.ttl[3], 0);

        assert_non_null(status);
        fprintf(stderr, "status: %s\n", status);
        assert_non_null(strstr(status, "\"frames\":6"));
        assert_non_null(strstr(status, "\"lldp\":3"));
        assert_non_null(strstr(status, "\"cdp\":1"));
        assert_non_null(strstr(status, "\"other\":1"));
        assert_non_null(strstr(status, "\"malformed\":1"));
        assert_non_null(strstr(status, "\"missing-ttl\":1"));
        assert_non_null(strstr(status, "\"shutdowns\":1"));
        /* B and R1 remain, A said goodbye */
        assert_non_null(strstr(status, "\"neighbors\":2"));
        free(status);
}

#define SYSNAME(c) 0x0a, 0x03, 'n', 'e', (c)                                 /* System Name "ne?" */
#define PORT2 0x04, 0x05, 0x05, 'p', '0', '/', '2'

/* A neighbour whose stable TLVs are byte for byte as before has only Port
 * ID, TTL and Port Description decoded again, and comes with the host's
 * reference; any change there, or another VLAN tag, is decoded in full and
 * comes without. */
static void test_stable_reuse(void **state) {
        static const uint8_t one[] = { ETH_LLDP(1), CHASSIS(1), PORT, TTL(120), SYSNAME('1'), 0x00, 0x00 };
        static const uint8_t one_p2[] = { ETH_LLDP(1), CHASSIS(1), PORT2, TTL(90), SYSNAME('1'), 0x00, 0x00 };
        static const uint8_t two[] = { ETH_LLDP(1), CHASSIS(1), PORT, TTL(120), SYSNAME('2'), 0x00, 0x00 };
        static const uint8_t two_tagged[] = {
                0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e, 0x00, 0xe0, 0xfc, 0x00, 0x00, 0x01,
                0x81, 0x00, 0x00, 0x64, 0x88, 0xcc, CHASSIS(1), PORT, TTL(120), SYSNAME('2'), 0x00, 0x00,
        };
        char path[256];
        snprintf(path, sizeof path, "%s/reuse.pcap", tmpdir);
        /* the plugin hands the host LLDP_BATCH frames at a time: references
         * come back at the end of each batch, so the sightings to check are
         * in later ones; another neighbour fills the batches */
        enum { B = LLDP_BATCH, N = 2 * B + 2 };
        struct frame frames[N];
        for (size_t i = 0; i < N; i++)
                frames[i] = (struct frame) F(lldp_c);
        frames[0] = (struct frame) F(one);
        frames[1] = (struct frame) F(one);              /* heard again: now it has a record */
        frames[B + 1] = (struct frame) F(one_p2);       /* batch 2: as frame 1 but its port and TTL */
        frames[B + 2] = (struct frame) F(two);          /* another system name */
        frames[2 * B] = (struct frame) F(two_tagged);   /* batch 3: as frame B + 2 in VLAN 100 */
        frames[2 * B + 1] = (struct frame) F(one_p2);
        write_pcap(path, DLT_EN10MB, frames, N);

        const struct kv cfg[] = { { "pcap_file", path } };
        struct vw_plugin_ctx c = { .cfg = cfg, .n_cfg = 1, .oneshot = true, .batch = true };
        char *status = NULL;
        assert_int_equal(run(&c, &status), 0);
        assert_int_equal(c.n_obs, N);
        assert_string_equal(c.sys_name[0], "ne1");
        assert_string_equal(c.sys_name[B + 1], "ne1");  /* kept from frame 1 */
        assert_string_equal(c.port[B + 1], "p0/2");     /* decoded afresh */
        assert_int_equal(c.ttl[B + 1], 90);
        assert_int_equal(c.ref_in[B + 1], 1001);        /* frame 1's reference */
        assert_string_equal(c.sys_name[B + 2], "ne2");
        assert_int_equal(c.ref_in[B + 2], 0);
        assert_string_equal(c.sys_name[2 * B], "ne2");
        assert_int_equal(c.vlan[2 * B], 100);
        assert_int_equal(c.ref_in[2 * B], 0);
        assert_string_equal(c.sys_name[2 * B + 1], "ne1");
        assert_int_equal(c.vlan[2 * B + 1], -1);
        assert_int_equal(c.ref_in[2 * B + 1], 0);
        fprintf(stderr, "status: %s\n", status);
        /* decoded in full: the first two of each neighbour (a record is
         * kept from the second sighting on), B + 2, 2B and 2B + 1 */
        char want[64];
        snprintf(want, sizeof want, "\"stable_reused\":%d", N - 7);
        assert_non_null(strstr(status, want));
        assert_non_null(strstr(status, "\"stable_decoded\":7"));
        free(status);
}

static void test_neighbor_cap(void **state) {
        char path[256];
        snprintf(path, sizeof path, "%s/cap.pcap", tmpdir);
        const struct frame frames[] = { F(lldp_a), F(lldp_b_tagged), F(lldp_c), F(lldp_a), F(lldp_c) };
        write_pcap(path, DLT_EN10MB, frames, sizeof frames / sizeof frames[0]);

        const struct kv cfg[] = { { "pcap_file", path }, { "max_neighbors_per_interface", NULL, 2 } };
        struct vw_plugin_ctx c = { .cfg = cfg, .n_cfg = 2, .oneshot = false };
        char *status = NULL;
        assert_int_equal(run(&c, &status), 0);
        assert_int_equal(c.n_obs, 3);   /* a, b, a again; c refused twice */
        assert_non_null(strstr(c.last_warning, "more than 2 neighbours"));
        assert_non_null(strstr(status, "\"neighbor_cap_refused\":2"));
        free(status);
}

static void test_truncated_file(void **state) {
        char path[256];
        snprintf(path, sizeof path, "%s/cut.pcap", tmpdir);
        const struct frame frames[] = { F(lldp_a), F(lldp_c) };
        write_pcap(path, DLT_EN10MB, frames, 2);
        FILE *f = fopen(path, "r+");
        assert_non_null(f);
        fseek(f, 0, SEEK_END);
        assert_int_equal(ftruncate(fileno(f), ftell(f) - 10), 0);
        fclose(f);

        /* --replay: the loop ends with an error, nothing claims completeness */
        const struct kv cfg[] = { { "pcap_file", path } };
        struct vw_plugin_ctx c = { .cfg = cfg, .n_cfg = 1, .oneshot = true };
        assert_int_equal(run(&c, NULL), -EBADMSG);
        assert_false(c.done);
        assert_int_equal(c.n_obs, 1);
        assert_non_null(strstr(c.last_error, "truncated"));

        /* in the daemon: logged, and the source is done */
        struct vw_plugin_ctx d = { .cfg = cfg, .n_cfg = 1, .oneshot = false };
        char *status = NULL;
        assert_int_equal(run(&d, &status), 0);
        assert_true(d.done);
        assert_non_null(strstr(status, "\"error\""));
        free(status);
}

static void test_bad_files(void **state) {
        char path[256];
        snprintf(path, sizeof path, "%s/raw.pcap", tmpdir);
        const struct frame frames[] = { F(ipv4) };
        write_pcap(path, DLT_RAW, frames, 1);
        const struct kv cfg[] = { { "pcap_file", path } };
        struct vw_plugin_ctx c = { .cfg = cfg, .n_cfg = 1, .oneshot = true };
        assert_int_equal(run(&c, NULL), -EINVAL);
        assert_non_null(strstr(c.last_error, "unsupported link type"));

        snprintf(path, sizeof path, "%s/missing.pcap", tmpdir);
        struct vw_plugin_ctx d = { .cfg = cfg, .n_cfg = 1, .oneshot = true };
        assert_int_equal(run(&d, NULL), -EINVAL);
        assert_non_null(strstr(d.last_error, "cannot read capture"));

        snprintf(path, sizeof path, "%s/notpcap.pcap", tmpdir);
        FILE *f = fopen(path, "w");
        fputs("this is not a capture\n", f);
        fclose(f);
        struct vw_plugin_ctx e = { .cfg = cfg, .n_cfg = 1, .oneshot = true };
        assert_int_equal(run(&e, NULL), -EINVAL);
        assert_non_null(strstr(e.last_error, "cannot read capture"));
}

/* A classic pcap file by hand, in either byte order; frames[i] is written
 * with caplen[i] bytes (zero-padded past its length) when caplen is given. */
static void write_pcap_raw(const char *path, bool big_endian, uint32_t snaplen, const struct frame *frames,
                           const uint32_t *caplen, size_t n) {
        FILE *f = fopen(path, "we");
        assert_non_null(f);
        uint8_t b[16];
#define PUT32(at, v)                                                                   \
        for (int k = 0; k < 4; k++)                                                    \
                b[(at) + (big_endian ? k : 3 - k)] = (uint8_t) ((uint32_t) (v) >> (24 - 8 * k))
        PUT32(0, 0xa1b2c3d4u);
        b[4] = big_endian ? 0 : 2, b[5] = big_endian ? 2 : 0, b[6] = big_endian ? 0 : 4, b[7] = big_endian ? 4 : 0;
        PUT32(8, 0);
        PUT32(12, 0);
        fwrite(b, 1, 16, f);
        PUT32(0, snaplen);
        PUT32(4, 1);
        fwrite(b, 1, 8, f);
        for (size_t i = 0; i < n; i++) {
                uint32_t cl = caplen && caplen[i] ? caplen[i] : (uint32_t) frames[i].len;
                PUT32(0, 1700000000 + i);
                PUT32(4, 0);
                PUT32(8, cl);
                PUT32(12, cl);
                fwrite(b, 1, 16, f);
                for (uint32_t j = 0; j < cl; j++)
                        fputc(j < frames[i].len ? frames[i].p[j] : 0, f);
        }
#undef PUT32
        assert_int_equal(fclose(f), 0);
}

/* A classic pcap file is read in blocks and its frames decoded where they
 * lie, in batches that span refills; a record libpcap must cut (caplen over
 * the snapshot length) goes through libpcap, in its place in the order. */
static void test_block_reader(void **state) {
        for (int be = 0; be < 2; be++) {
                char path[256];
                snprintf(path, sizeof path, "%s/blocks-%d.pcap", tmpdir, be);
                struct frame frames[40];
                uint32_t caplen[40] = { 0 };
                for (size_t i = 0; i < 40; i++)
                        frames[i] = (struct frame) F(lldp_c);
                frames[0] = (struct frame) F(lldp_a);
                frames[20] = (struct frame) F(lldp_b_tagged);
                caplen[20] = 300;               /* over the snapshot length: cut to 128 by libpcap */
                frames[39] = (struct frame) F(lldp_a_bye);
                write_pcap_raw(path, be, 128, frames, caplen, 40);

                const struct kv cfg[] = { { "pcap_file", path } };
                struct vw_plugin_ctx c = { .cfg = cfg, .n_cfg = 1, .oneshot = true, .batch = true };
                char *status = NULL;
                assert_int_equal(run(&c, &status), 0);
                assert_true(c.done);
                assert_int_equal(c.n_obs, 40);
                assert_string_equal(c.seen[0], "00:e0:fc:00:01:01");
                assert_string_equal(c.seen[1], "00:e0:fc:00:01:03");
                assert_string_equal(c.seen[20], "00:e0:fc:00:01:02");
                assert_int_equal(c.vlan[20], 100);
                assert_string_equal(c.seen[21], "00:e0:fc:00:01:03");
                assert_string_equal(c.seen[39], "00:e0:fc:00:01:01");
                assert_int_equal(c.ttl[39], 0);
                fprintf(stderr, "status: %s\n", status);
                assert_non_null(strstr(status, "\"block_records\":39,\"libpcap_records\":1"));
                assert_non_null(strstr(status, "\"frames\":40"));
                assert_non_null(strstr(status, "\"last_heard_usec\":1700000039000000"));
                free(status);
        }
}

static void test_config_errors(void **state) {
        const struct kv both[] = { { "interfaces", "eth0" }, { "pcap_file", "x.pcap" } };
        struct vw_plugin_ctx c = { .cfg = both, .n_cfg = 2 };
        assert_int_equal(run(&c, NULL), -EINVAL);
        assert_non_null(strstr(c.last_error, "exclude"));

        const struct kv bad_cap[] = { { "max_neighbors_per_interface", NULL, 0 } };
        struct vw_plugin_ctx d = { .cfg = bad_cap, .n_cfg = 1 };
        assert_int_equal(run(&d, NULL), -EINVAL);

        const struct kv bad_type[] = { { "promiscuous", "yes" } };
        struct vw_plugin_ctx e = { .cfg = bad_type, .n_cfg = 1 };
        assert_int_equal(run(&e, NULL), -EINVAL);

        const struct kv long_name[] = { { "interfaces", "averyveryverylongname0" } };
        struct vw_plugin_ctx f = { .cfg = long_name, .n_cfg = 1 };
        assert_int_equal(run(&f, NULL), -EINVAL);
}

static void test_check_only(void **state) {
        char path[256];
        snprintf(path, sizeof path, "%s/check.pcap", tmpdir);
        const struct frame frames[] = { F(lldp_a) };
        write_pcap(path, DLT_EN10MB, frames, 1);
        const struct kv cfg[] = { { "pcap_file", path } };
        struct vw_plugin_ctx c = { .cfg = cfg, .n_cfg = 1 };
        sd_event *e;
        void *st = (void *) 1;
        assert_int_equal(sd_event_new(&e), 0);
        c.event = e;
        struct vw_host host = { .abi_version = VW_PLUGIN_ABI_VERSION, .ops = &ops, .event = e, .instance = "lldp" };
        assert_int_equal(plugin->start(&host, &c, true, &st), 0);
        assert_null(st);
        assert_int_equal(c.n_obs, 0);
        sd_event_unref(e);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_replay),
                cmocka_unit_test(test_neighbor_cap),
                cmocka_unit_test(test_stable_reuse),
                cmocka_unit_test(test_truncated_file),
                cmocka_unit_test(test_block_reader),
                cmocka_unit_test(test_bad_files),
                cmocka_unit_test(test_config_errors),
                cmocka_unit_test(test_check_only),
        };
        if (!mkdtemp(tmpdir))
                return 1;
        int r = cmocka_run_group_tests(tests, setup, NULL);
        char cmd[300];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
        if (system(cmd) != 0)
                return 1;
        return r;
}
