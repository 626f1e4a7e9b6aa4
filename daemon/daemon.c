/* SPDX-License-Identifier: MIT */
#include <getopt.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>

#include "classify.h"
#include "daemon.h"
#include "hugeheap.h"
#include "inventory.h"
#include "jsonout.h"
#include "log.h"
#include "manager.h"
#include "store.h"
#include "plugin-host.h"
#include "vw-config.h"

enum {
        EXIT_VIOLATION = 3,     /* --replay found a policy violation */
};

int manager_check_plugins(Manager *m, const Config *c, char **ret_error);

static void help(void) {
        printf("Usage: vendorwatchd [OPTIONS]\n"
               "Network-equipment inventory auditor: who made each device, where it sits.\n\n"
               "  -f, --foreground        stay in the foreground, log to stderr\n"
               "  -d, --debug             debug logging (implies nothing else)\n"
               "  -c, --config FILE       configuration (default %s)\n"
               "      --plugin-dir DIR    load plugins from DIR\n"
               "      --check-config      validate the configuration and exit 0/1\n"
               "      --classify FILE|-   classify JSON-lines observations, print verdicts\n"
               "      --replay FILE.pcap  run the whole pipeline over a capture, print devices\n"
               "  -h, --help              this help\n"
               "      --version           print the version\n",
               VW_CONFIG_FILE);
}

/* The config to read: --config, else the system file if it exists, else
 * built-in defaults (every key has one). */
static const char *config_path(const char *arg) {
        struct stat st;
        if (arg)
                return arg;
        if (stat(VW_CONFIG_FILE, &st) == 0)
                return VW_CONFIG_FILE;
        return NULL;
}

/* The end-host keys of the configured lldp plugin, kept for --replay (the
 * capture's interfaces are the file, the rest of the group does not apply). */
static const char *const replay_keys[] = {
        "hosts", "max_hosts_per_interface", "host_refresh_sec", "host_ttl_sec", "gratuitous_arp_per_sec",
        "host_flap_limit",
};

/* Replace the configured plugins by one lldp plugin reading `pcap`, with the
 * configured lldp plugin's end-host keys. */
static int replay_config(Config *c, const char *pcap) {
        config_setting_t *root = config_root_setting(&c->lc);
        config_setting_t *old = config_setting_get_member(root, "plugins"), *lldp = NULL;
        struct {
                int type;
                long long value;
        } kept[ELEMENTSOF(replay_keys)] = {};

        for (int i = 0; old && i < config_setting_length(old); i++) {
                config_setting_t *e = config_setting_get_elem(old, (unsigned) i);
                const char *n = NULL;
                if (config_setting_lookup_string(e, "name", &n) && streq(n, "lldp"))
                        lldp = e;
        }
        for (size_t i = 0; lldp && i < ELEMENTSOF(replay_keys); i++) {
                config_setting_t *s = config_setting_get_member(lldp, replay_keys[i]);
                int type = s ? config_setting_type(s) : CONFIG_TYPE_NONE;
                if (type != CONFIG_TYPE_BOOL && type != CONFIG_TYPE_INT && type != CONFIG_TYPE_INT64)
                        continue;       /* absent, or wrong: the plugin reports it */
                kept[i].type = type;
                kept[i].value = type == CONFIG_TYPE_BOOL ? config_setting_get_bool(s) : config_setting_get_int64(s);
        }
        if (old)
                config_setting_remove(root, "plugins");
        config_setting_t *list = config_setting_add(root, "plugins", CONFIG_TYPE_LIST);
        config_setting_t *g = list ? config_setting_add(list, NULL, CONFIG_TYPE_GROUP) : NULL;
        config_setting_t *name = g ? config_setting_add(g, "name", CONFIG_TYPE_STRING) : NULL;
        config_setting_t *file = g ? config_setting_add(g, "pcap_file", CONFIG_TYPE_STRING) : NULL;
        if (!file || !config_setting_set_string(name, "lldp") || !config_setting_set_string(file, pcap))
                return -ENOMEM;
        for (size_t i = 0; i < ELEMENTSOF(replay_keys); i++) {
                if (kept[i].type == CONFIG_TYPE_NONE)
                        continue;
                config_setting_t *n = config_setting_add(g, replay_keys[i], kept[i].type);
                if (!n || !(kept[i].type == CONFIG_TYPE_BOOL ? config_setting_set_bool(n, (int) kept[i].value)
                                                            : config_setting_set_int64(n, kept[i].value)))
                        return -ENOMEM;
        }
        for (size_t i = 0; i < c->n_plugins; i++)
                free(c->plugins[i].name);
        free(c->plugins);
        c->plugins = calloc(1, sizeof(PluginConfig));
        if (!c->plugins)
                return -ENOMEM;
        c->plugins[0] = (PluginConfig) { .name = strdup("lldp"), .required = true, .setting = g };
        c->n_plugins = 1;
        return c->plugins[0].name ? 0 : -ENOMEM;
}

static int run_replay(Manager *m) {
        int r = manager_start(m);
        if (r < 0)
                return 1;
        if (m->sources_pending > 0) {
                r = sd_event_loop(m->event);
                if (r < 0) {
                        log_error_errno(r, "event loop failed: %m");
                        return 1;
                }
        }
        for (size_t i = 0; i < m->n_plugins; i++)
                if (m->plugins[i]->pstate == PLUGIN_FAILED) {
                        log_error("%s", m->plugins[i]->error ? m->plugins[i]->error : "the capture could not be read");
                        return 1;
                }

        /* a device's line is about 1.5 KiB: out in blocks of 256 KiB, not
         * of the page stdio gives a file or pipe (a write(2) per two
         * devices); glibc takes a size only with the buffer */
        static char out_buf[256 << 10];
        (void) setvbuf(stdout, out_buf, _IOFBF, sizeof out_buf);
        bool violation = false;
        size_t cursor = 0;
        _cleanup_(jsonout_done) JsonOut out = {};
        for (Device *d; (d = inventory_next(m->inventory, &cursor));) {
                jsonout_reset(&out);
                device_write_json(&out, d, false);
                if (out.oom) {
                        log_error("out of memory");
                        return 1;
                }
                fwrite(out.buf, 1, out.len, stdout);
                putchar('\n');
                violation |= d->policy.violation;
        }
        if (fflush(stdout) != 0) {
                log_error_errno(-errno, "cannot write the devices: %m");
                return 1;
        }
        return violation ? EXIT_VIOLATION : 0;
}

static int run_check(Manager *m) {
        _cleanup_free_ char *error = NULL;
        VendorDb *db = NULL;
        int r = manager_check_plugins(m, m->config, &error);
        if (r < 0) {
                fprintf(stderr, "%s\n", error ? error : strerror(-r));
                return 1;
        }
        r = manager_load_vendors(m, m->config, &db);
        vendor_db_free(db);
        if (r < 0)
                return 1;
        r = store_check(m->config->store_path, &error);
        if (r < 0) {
                fprintf(stderr, "%s\n", error ? error : strerror(-r));
                return 1;
        }
        printf("%s: OK\n", m->config->path ? m->config->path : "built-in defaults");
        return 0;
}

static int run_daemon(Manager *m) {
        int r = manager_start(m);
        if (r < 0) {
                sd_notifyf(0, "STATUS=Failed to start: %s\nERRNO=%d", strerror(-r), -r);
                return 1;
        }
        log_info("vendorwatchd %s running (config %s, %zu plugins).", VW_VERSION,
                 m->config->path ? m->config->path : "built-in defaults", m->n_plugins);
        sd_notifyf(0, "READY=1\nSTATUS=Running: %zu devices", inventory_count(m->inventory));
        r = sd_event_loop(m->event);
        sd_notify(0, "STOPPING=1\nSTATUS=Stopping");
        if (r < 0) {
                log_error_errno(r, "event loop failed: %m");
                return 1;
        }
        log_info("vendorwatchd stopped.");
        return 0;
}

int daemon_main(int argc, char **argv) {
        enum { ARG_PLUGIN_DIR = 0x100, ARG_CHECK, ARG_CLASSIFY, ARG_REPLAY, ARG_VERSION };
        static const struct option options[] = {
                { "foreground", no_argument, NULL, 'f' },
                { "debug", no_argument, NULL, 'd' },
                { "config", required_argument, NULL, 'c' },
                { "plugin-dir", required_argument, NULL, ARG_PLUGIN_DIR },
                { "check-config", no_argument, NULL, ARG_CHECK },
                { "classify", required_argument, NULL, ARG_CLASSIFY },
                { "replay", required_argument, NULL, ARG_REPLAY },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                {}
        };
        bool foreground = false, debug = false, check = false;
        const char *config_arg = NULL, *plugin_dir = NULL, *replay = NULL;
        int c;

        /* --classify has its own small option set and needs no config at all. */
        for (int i = 1; i < argc; i++)
                if (streq(argv[i], "--classify") || strncmp(argv[i], "--classify=", 11) == 0)
                        return classify_main(argc, argv);

        while ((c = getopt_long(argc, argv, "fdc:h", options, NULL)) >= 0)
                switch (c) {
                case 'f': foreground = true; break;
                case 'd': debug = true; break;
                case 'c': config_arg = optarg; break;
                case ARG_PLUGIN_DIR: plugin_dir = optarg; break;
                case ARG_CHECK: check = true; break;
                case ARG_REPLAY: replay = optarg; break;
                case 'h': help(); return 0;
                case ARG_VERSION: printf("vendorwatchd %s\n", VW_VERSION); return 0;
                default: return 2;
                }
        if (optind < argc) {
                fprintf(stderr, "vendorwatchd: unexpected argument \"%s\" (see --help)\n", argv[optind]);
                return 2;
        }

        bool oneshot = check || replay;
        if (!check)
                hugeheap_start();
        log_setup(foreground || oneshot || isatty(STDERR_FILENO), debug ? LOG_DEBUG : oneshot ? LOG_WARNING : LOG_INFO);

        _cleanup_(manager_freep) Manager *m = NULL;
        int r = manager_new(oneshot, &m);
        if (r < 0) {
                log_error_errno(r, "cannot set up the event loop: %m");
                return 1;
        }
        const char *path = config_path(config_arg);
        m->config_arg = path ? strdup(path) : NULL;
        m->plugin_dir_arg = plugin_dir ? strdup(plugin_dir) : NULL;

        _cleanup_free_ char *error = NULL;
        r = config_load(path, plugin_dir, &m->config, &error);
        if (r < 0) {
                fprintf(stderr, "%s\n", error ? error : strerror(-r));
                if (!foreground && !oneshot)
                        log_error("%s", error ? error : strerror(-r));
                return 1;
        }
        if (debug)
                m->config->log_level = LOG_DEBUG;

        if (check)
                return run_check(m);
        if (replay) {
                r = replay_config(m->config, replay);
                if (r < 0)
                        return 1;
                return run_replay(m);
        }
        return run_daemon(m);
}
