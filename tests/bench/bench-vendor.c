/* SPDX-License-Identifier: MIT */
/* Prints the vendor engine's figures: registry load time, OUI longest-prefix
 * lookups per second, and observations classified per second (parse +
 * classify, without output; tests/bench/bench-classify times the whole
 * `vendorwatchd --classify`).
 *
 *   bench-vendor [OBSERVATIONS.jsonl]
 *
 * Without a file a synthetic mix of observation shapes is used.  Uses the
 * built-in defaults: the source tree's conf/vendors.conf and the Debian
 * registries. */
#include <stdint.h>
#include <time.h>

#include "macro.h"
#include "observation.h"
#include "oui.h"
#include "vendor.h"
#include "vw-config.h"

static double now(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static const char *const synthetic[] = {
        "{\"id\":\"1\",\"source\":\"snmp\",\"sys_descr\":\"Huawei Versatile Routing Platform Software\\r\\nVRP (R) software, Version 8.180\",\"sys_object_id\":\"1.3.6.1.4.1.2011.2.239.1\",\"macs\":[\"00:e0:fc:00:00:01\",\"00:e0:fc:00:00:02\",\"00:e0:fc:00:00:03\"]}",
        "{\"id\":\"2\",\"source\":\"snmp\",\"sys_descr\":\"Cisco IOS Software, C2960X Software (C2960X-UNIVERSALK9-M), Version 15.2(7)E2\",\"sys_object_id\":\"1.3.6.1.4.1.9.1.1208\",\"entity_mfg\":[\"Cisco Systems, Inc.\"],\"entity_model\":[\"WS-C2960X-48FPD-L\"]}",
        "{\"id\":\"3\",\"source\":\"lldp\",\"chassis_id\":\"4c:5e:0c:11:22:33\",\"chassis_subtype\":\"mac\",\"sys_descr\":\"RouterOS CRS328-24P-4S+\"}",
        "{\"id\":\"4\",\"source\":\"snmp\",\"sys_descr\":\"Linux host 5.10.0-21-amd64 #1 SMP Debian 5.10.162-1 x86_64\",\"sys_object_id\":\"1.3.6.1.4.1.8072.3.2.10\",\"macs\":[\"52:54:00:12:34:56\",\"00:1b:21:aa:bb:cc\"]}",
        "{\"id\":\"5\",\"source\":\"snmp\",\"sys_descr\":\"HPE Comware Platform Software, Software Version 7.1.070, Release 3506P06\\r\\nHPE 5140 48G PoE+ 4SFP+ EI Switch\",\"sys_object_id\":\"1.3.6.1.4.1.25506.11.1.300\"}",
        "{\"id\":\"6\",\"source\":\"arp\",\"kind\":\"host\",\"macs\":[\"c0:56:e3:01:02:03\"]}",
        "{\"id\":\"7\",\"source\":\"snmp\",\"sys_descr\":\"Juniper Networks, Inc. ex4300-48p Ethernet Switch, kernel JUNOS 21.4R3\",\"sys_object_id\":\"1.3.6.1.4.1.2636.1.1.1.2.132\"}",
        "{\"id\":\"8\",\"source\":\"snmp\",\"sys_descr\":\"FM Rebroadcast Receiver\",\"sys_object_id\":\"1.3.6.1.4.1.42111.650\"}",
};

int main(int argc, char **argv) {
        VendorPaths paths = {
                .catalogue = VW_SOURCE_ROOT "/conf/vendors.conf",
                .oui_dir = VW_OUI_DIR,
                .enterprises = VW_ENTERPRISES_FILE,
        };

        /* registry load alone, best of 5 */
        double best = 1e9;
        for (int i = 0; i < 5; i++) {
                OuiDb *o = NULL;
                char *err = NULL;
                double t = now();
                if (oui_db_load(paths.oui_dir, &o, &err) < 0) {
                        fprintf(stderr, "%s\n", err);
                        return 1;
                }
                t = now() - t;
                best = t < best ? t : best;
                oui_db_free(o);
        }
        printf("oui registry load (MA-L+MA-M+MA-S+IAB): %.1f ms\n", best * 1e3);

        VendorDb *db = NULL;
        char *err = NULL;
        double t = now();
        if (vendor_db_load(&paths, &db, &err) < 0) {
                fprintf(stderr, "%s\n", err);
                return 1;
        }
        printf("full load (registries + enterprises + catalogue): %.1f ms\n", (now() - t) * 1e3);
        json_object *st = vendor_db_status(db);
        printf("status: %s\n", json_object_to_json_string_ext(st, JSON_C_TO_STRING_PLAIN));
        json_object_put(st);

        /* OUI lookups over random MACs whose first 3 bytes come from real
         * blocks (so every lookup walks the index, MA-M/MA-S included) */
        const OuiDb *oui = vendor_db_oui(db);
        enum { N_MACS = 1 << 16 };
        static uint8_t macs[N_MACS][6];
        static const uint8_t prefixes[][3] = {
                { 0x00, 0xe0, 0xfc }, { 0x70, 0xb3, 0xd5 }, { 0x00, 0x00, 0x0c }, { 0x4c, 0x5e, 0x0c },
                { 0x12, 0x34, 0x56 }, { 0xf8, 0xb5, 0x68 }, { 0x00, 0x1b, 0x21 }, { 0x3c, 0xef, 0x8c },
        };
        uint64_t x = 88172645463325252ull;
        for (size_t i = 0; i < N_MACS; i++) {
                x ^= x << 13, x ^= x >> 7, x ^= x << 17;
                if (i % 2) {
                        memcpy(macs[i], prefixes[x % ELEMENTSOF(prefixes)], 3);
                        macs[i][3] = (uint8_t) (x >> 8), macs[i][4] = (uint8_t) (x >> 16), macs[i][5] = (uint8_t) (x >> 24);
                } else
                        for (size_t k = 0; k < 6; k++)
                                macs[i][k] = (uint8_t) (x >> (8 * k));
        }
        size_t rounds = 300;
        volatile uint32_t sink = 0;
        t = now();
        for (size_t r = 0; r < rounds; r++)
                for (size_t i = 0; i < N_MACS; i++)
                        sink += oui_lookup(oui, macs[i], NULL);
        t = now() - t;
        printf("oui lookups: %.1f M/s\n", (double) rounds * N_MACS / t / 1e6);

        /* classify */
        char **lines = NULL;
        size_t n = 0;
        if (argc > 1) {
                FILE *f = fopen(argv[1], "re");
                if (!f) {
                        perror(argv[1]);
                        return 1;
                }
                char *line = NULL;
                size_t cap = 0;
                ssize_t len;
                while ((len = getline(&line, &cap, f)) > 0) {
                        lines = reallocarray(lines, n + 1, sizeof *lines);
                        lines[n++] = strndup(line, (size_t) len);
                }
                free(line);
                fclose(f);
        } else {
                for (size_t i = 0; i < ELEMENTSOF(synthetic); i++) {
                        lines = reallocarray(lines, n + 1, sizeof *lines);
                        lines[n++] = strdup(synthetic[i]);
                }
        }
        size_t total = 0, bad = 0;
        json_tokener *tok = json_tokener_new_ex(32);    /* one for all lines, as --classify does */
        if (!tok)
                return 1;
        t = now();
        while (now() - t < 2.0)
                for (size_t i = 0; i < n; i++) {
                        Observation *o = NULL;
                        char *e = NULL;
                        if (observation_from_json_tok(tok, lines[i], strlen(lines[i]), &o, NULL, &e) < 0) {
                                free(e);
                                bad++;
                                continue;
                        }
                        const struct vw_observation *list[1] = { &o->o };
                        VendorVerdict v = VENDOR_VERDICT_INIT;
                        if (vendor_classify(db, list, 1, &v) >= 0)
                                vendor_verdict_done(&v);
                        observation_free(o);
                        total++;
                }
        t = now() - t;
        json_tokener_free(tok);
        printf("classify (JSON parse + classify, %zu distinct lines): %.0f k observations/s\n", n, (double) total / t / 1e3);
        for (size_t i = 0; i < n; i++)
                free(lines[i]);
        free(lines);
        vendor_db_free(db);
        return 0;
}
