/* SPDX-License-Identifier: MIT */
/* The config loader end to end: libconfig syntax, the typed checks of every
 * group, and each configured plugin's own keys (the plugins of the build
 * tree, started with check_only as --check-config and reload do).  Any text
 * is loaded or refused with a message, never a crash or a leak. */
#include <dlfcn.h>
#include <fcntl.h>
#include <stdint.h>
#include <syslog.h>

#include "config.h"
#include "log.h"
#include "manager.h"
#include "plugin-host.h"
#include "vw-config.h"

static char path[] = "/tmp/fuzz-config-XXXXXX";
static int fd = -EBADF;
static Manager *manager;

static void cleanup(void) {
        if (fd >= 0)
                unlink(path);
        manager_free(manager);
}

static int setup(void) {
        if (fd >= 0)
                return 0;
        fd = mkstemp(path);
        if (fd < 0 || manager_new(true, &manager) < 0)
                abort();
        atexit(cleanup);
        log_set_max_level(LOG_CRIT);    /* plugins report refusals at err level */
        /* Keep the plugins mapped between inputs: plugin_load's own
         * dlopen/dlclose are then reference counts, not loads. */
        static const char *const names[] = { "jsonl", "lldp", "snmp" };
        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                char so[4096];
                snprintf(so, sizeof so, "%s/%s.so", VW_BUILD_PLUGIN_DIR, names[i]);
                (void) dlopen(so, RTLD_NOW | RTLD_LOCAL);
        }
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size > 1 << 20)
                return 0;
        /* @include reads whatever file it names (a FIFO, /dev/zero): the
         * operator's business, not an input this target can bound. */
        if (memmem(data, size, "@include", 8))
                return 0;
        setup();
        if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t) size)
                abort();

        Config *c = NULL;
        char *error = NULL;
        if (config_load(path, VW_BUILD_PLUGIN_DIR, &c, &error) < 0) {
                if (!error)
                        abort();        /* every refusal says why */
                free(error);
                return 0;
        }
        for (size_t i = 0; i < c->n_plugins; i++) {
                Plugin *p = NULL;
                int r = plugin_load(manager, c, &c->plugins[i], true, &p);
                if (r < 0 && (!p || !p->error))
                        abort();
                plugin_free(p);
        }
        config_free(c);
        return 0;
}
