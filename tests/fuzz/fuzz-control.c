/* SPDX-License-Identifier: MIT */
/* The control protocol as a client sees it: bytes are split into request
 * lines as the socket server does (control_next_line), each line goes
 * through control_dispatch -- JSON parsing, version and permission checks,
 * the command table and the command itself -- and a streamed reply is
 * pumped to its end.  The daemon behind it is real: a Manager with a small
 * config (reload re-reads it), the shipped vendor catalogue and a few
 * devices.
 *
 * Input: byte 0 picks the peer (bit 0: root, else uid 1000), the rest is
 * the byte stream of the connection. */
#include <stdint.h>
#include <sys/socket.h>
#include <syslog.h>

#include "control.h"
#include "jsonout.h"
#include "log.h"
#include "manager.h"
#include "vw-config.h"

#define REQUESTS_MAX 32

static char dir[] = "/tmp/fuzz-control-XXXXXX";
static char conf[sizeof dir + 32];
static Manager *manager;

static const char *const devices[] = {
        ("{\"source\":\"lldp\",\"chassis_id\":\"00:e0:fc:12:34:56\",\"chassis_subtype\":\"mac\",\"port_id\":\"GE0/0/1\","
        "\"sys_name\":\"core-1\",\"sys_descr\":\"Huawei Versatile Routing Platform Software\",\"ttl\":120,"
        "\"via\":{\"interface\":\"eth0\"}}"),
        ("{\"source\":\"snmp\",\"sys_object_id\":\"1.3.6.1.4.1.9.1.1208\",\"macs\":[\"00:1b:54:00:00:01\"],"
        "\"addresses\":[\"10.0.0.2\"],\"sys_name\":\"edge-1\",\"via\":{\"agent\":\"10.0.0.2\",\"device\":\"mac:00e0fc123456\",\"port\":\"Gi1/0/1\"}}"),
        "{\"kind\":\"host\",\"macs\":[\"bc:ad:28:00:00:01\"],\"dhcp_vendor_class\":\"HIKVISION\",\"hostname\":\"cam-1\"}",
};

static void cleanup(void) {
        manager_free(manager);
        unlink(conf);
        rmdir(dir);
}

static void setup(void) {
        if (manager)
                return;
        log_set_max_level(LOG_CRIT);
        if (!mkdtemp(dir))
                abort();
        snprintf(conf, sizeof conf, "%s/vendorwatch.conf", dir);
        FILE *f = fopen(conf, "we");
        if (!f)
                abort();
        /* small registries: a reload costs milliseconds */
        fprintf(f, "control = { socket = \"%s/vw.sock\"; };\n"
                   "store = { path = \"%s/inventory.db\"; };\n"
                   "vendors = { catalogue = \"%s/conf/vendors.conf\"; oui_dir = \"%s/tests/unit/data\";\n"
                   "            enterprises = \"%s/tests/unit/data/enterprises.tsv\"; };\n"
                   "inventory = { max_devices = 64; };\n"
                   "log = { level = \"err\"; };\n",
                dir, dir, VW_SOURCE_ROOT, VW_SOURCE_ROOT, VW_SOURCE_ROOT);
        fclose(f);

        char *error = NULL;
        if (manager_new(true, &manager) < 0 || config_load(conf, NULL, &manager->config, &error) < 0) {
                fprintf(stderr, "fuzz-control: %s\n", error ? error : "setup failed");
                abort();
        }
        manager->config_arg = strdup(conf);
        if (manager_start(manager) < 0)
                abort();
        atexit(cleanup);
}

/* The same devices before every input (a fuzzed `forget` removes them). */
static void populate(void) {
        for (size_t i = 0; i < ELEMENTSOF(devices); i++) {
                Observation *o;
                if (observation_from_json(devices[i], strlen(devices[i]), &o, NULL, NULL) < 0)
                        abort();
                manager_observe(manager, &o->o);
                observation_free(o);
        }
}

static void handle(const struct ucred *cred, const char *line, size_t len) {
        Stream stream;
        json_object *reply = control_dispatch(manager, cred, line, len, &stream);
        if (!reply)
                abort();
        (void) json_object_to_json_string_ext(reply, JSON_C_TO_STRING_PLAIN);
        json_object_put(reply);
        if (stream.next_text) {
                JsonOut text = {};
                do
                        jsonout_reset(&text);
                while (stream.next_text(manager, stream.state, &text));
                jsonout_done(&text);
        } else if (stream.next) {
                for (json_object *item; (item = stream.next(manager, stream.state));) {
                        (void) json_object_to_json_string_ext(item, JSON_C_TO_STRING_PLAIN);
                        json_object_put(item);
                }
        } else
                return;
        if (stream.free)
                stream.free(stream.state);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size < 1 || size > 1 << 20)
                return 0;
        setup();
        populate();
        struct ucred cred = {
                .pid = 1,
                .uid = data[0] & 1 ? 0 : 1000,
                .gid = data[0] & 1 ? 0 : 1000,
        };
        const char *p = (const char *) data + 1;
        size_t left = size - 1;
        /* A reload re-reads the catalogue (hundreds of regular expressions):
         * a few per input find the bugs, dozens only find the time-out. */
        unsigned reloads = 0;
        for (unsigned n = 0; left > 0 && n < REQUESTS_MAX; n++) {
                size_t line_len = 0, consumed = 0;
                int r = control_next_line(p, left, &line_len, &consumed);
                if (r < 0)
                        break;          /* "request too large": the server closes */
                if (r == 0)
                        break;          /* an incomplete line waits for more bytes */
                if (consumed > left || line_len >= consumed)
                        abort();
                bool reload = memmem(p, line_len, "reload", 6) != NULL;
                if (line_len > 0 && (!reload || reloads++ < 2))
                        handle(&cred, p, line_len);
                p += consumed, left -= consumed;
        }
        return 0;
}
