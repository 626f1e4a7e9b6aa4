/* SPDX-License-Identifier: MIT */
#include <inttypes.h>
#include <signal.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include "audit.h"
#include "control.h"
#include "log.h"
#include "metrics.h"
#include "hugeheap.h"
#include "manager.h"
#include "plugin-host.h"
#include "policy.h"
#include "roles.h"

#define USEC_PER_SEC UINT64_C(1000000)

uint64_t now_realtime_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        return (uint64_t) ts.tv_sec * USEC_PER_SEC + (uint64_t) ts.tv_nsec / 1000;
}

static uint64_t now_monotonic_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * USEC_PER_SEC + (uint64_t) ts.tv_nsec / 1000;
}

static void plugins_stop(Manager *m) {
        for (size_t i = 0; i < m->n_plugins; i++)
                plugin_free(m->plugins[i]);
        free(m->plugins);
        m->plugins = NULL;
        m->n_plugins = 0;
}

Manager *manager_free(Manager *m) {
        if (!m)
                return NULL;
        control_free(m->control);
        plugins_stop(m);
        sd_event_source_unref(m->audit_timer);
        audit_free(m->audit);
        store_free(m->store);           /* commits everything queued */
        sd_event_source_unref(m->age_timer);
        sd_event_source_unref(m->watchdog_timer);
        sd_event_source_unref(m->metrics_timer);
        sd_event_source_unref(m->reeval_source);
        inventory_free(m->inventory);
        vendor_db_free(m->vendors);
        config_free(m->config);
        free(m->config_arg);
        free(m->plugin_dir_arg);
        sd_event_unref(m->event);
        free(m);
        return NULL;
}

static int on_terminate(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        Manager *m = userdata;
        log_info("Received %s, stopping.", strsignal((int) si->ssi_signo));
        sd_notify(0, "STOPPING=1\nSTATUS=Stopping");
        sd_event_exit(m->event, 0);
        return 0;
}

static int on_hup(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        Manager *m = userdata;
        _cleanup_free_ char *error = NULL;
        (void) manager_reload(m, &error);
        return 0;
}

int manager_new(bool oneshot, Manager **ret) {
        _cleanup_(manager_freep) Manager *m = calloc(1, sizeof(Manager));
        int r;

        if (!m)
                return -ENOMEM;
        m->oneshot = oneshot;
        m->start_usec = now_monotonic_usec();
        r = sd_event_new(&m->event);
        if (r < 0)
                return r;
        if (!oneshot) {
                sigset_t ss;
                sigemptyset(&ss);
                sigaddset(&ss, SIGTERM);
                sigaddset(&ss, SIGINT);
                sigaddset(&ss, SIGHUP);
                sigprocmask(SIG_BLOCK, &ss, NULL);
                r = sd_event_add_signal(m->event, NULL, SIGTERM, on_terminate, m);
                if (r >= 0)
                        r = sd_event_add_signal(m->event, NULL, SIGINT, on_terminate, m);
                if (r >= 0)
                        r = sd_event_add_signal(m->event, NULL, SIGHUP, on_hup, m);
                if (r < 0)
                        return r;
        }
        signal(SIGPIPE, SIG_IGN);
        *ret = TAKE_PTR(m);
        return 0;
}

int manager_load_vendors(Manager *m, const Config *c, VendorDb **ret) {
        _cleanup_free_ char *error = NULL;
        VendorPaths paths = {
                .catalogue = c->vendors_file,
                .oui_dir = c->oui_dir,
                .enterprises = c->enterprises_file,
        };
        int r = vendor_db_load(&paths, ret, &error);
        if (r < 0)
                return log_error_errno(r, "%s", error ? error : "cannot load the vendor data");
        return 0;
}

/* Start the configured plugins.  A plugin that fails is logged and left out,
 * unless the config marks it required. */
static int plugins_start(Manager *m, const Config *c) {
        if (c->n_plugins == 0)
                return 0;
        m->plugins = calloc(c->n_plugins, sizeof(Plugin *));
        if (!m->plugins)
                return -ENOMEM;
        for (size_t i = 0; i < c->n_plugins; i++) {
                Plugin *p;
                int r = plugin_load(m, c, &c->plugins[i], false, &p);
                if (!p)
                        return -ENOMEM;
                m->plugins[m->n_plugins++] = p;
                if (r < 0) {
                        if (p->required)
                                return log_error_errno(r, "required plugin %s: %s", p->name, p->error);
                        log_warning("plugin %s refused, continuing without it: %s", p->name, p->error);
                        continue;
                }
                if (p->pstate == PLUGIN_RUNNING)
                        m->sources_pending++;
                log_info("plugin %s (%s) started", p->name, p->file);
        }
        return 0;
}

/* Check every plugin group without starting anything (--check-config and
 * reload): returns the first error as text. */
int manager_check_plugins(Manager *m, const Config *c, char **ret_error);
int manager_check_plugins(Manager *m, const Config *c, char **ret_error) {
        for (size_t i = 0; i < c->n_plugins; i++) {
                Plugin *p;
                int r = plugin_load(m, c, &c->plugins[i], true, &p);
                if (!p)
                        return -ENOMEM;
                if (r < 0 && (p->required || p->dl)) {
                        /* a missing optional plugin is tolerated, a bad config group never */
                        *ret_error = TAKE_PTR(p->error);
                        plugin_free(p);
                        return r;
                }
                if (r < 0)
                        log_warning("plugin %s: %s", p->name, p->error);
                plugin_free(p);
        }
        return 0;
}

static int on_age(sd_event_source *s, uint64_t usec, void *userdata);

static void aged(Device *d, bool removed, void *userdata) {
        Manager *m = userdata;
        if (!removed) {
                log_debug("device %s is absent (TTL expired)", d->id);
                manager_device_changed(m, d, false);
        } else {
                log_info("device %s removed after the retention period", d->id);
                audit_device_gone(m->audit, d->id, "retention", now_realtime_usec());
        }
}

static int on_age(sd_event_source *s, uint64_t usec, void *userdata) {
        Manager *m = userdata;
        inventory_age(m->inventory, now_realtime_usec(), aged, m);
        sd_event_source_set_time_relative(s, (uint64_t) m->config->inventory_age_interval_sec * USEC_PER_SEC);
        return 0;
}

static int on_audit_tick(sd_event_source *s, uint64_t usec, void *userdata) {
        Manager *m = userdata;
        audit_tick(m->audit, m->inventory, now_realtime_usec());
        sd_event_source_set_time_relative(s, USEC_PER_SEC);
        return 0;
}

static void classify_device(Manager *m, Device *d, bool reclassify);

static void restore_classify(Device *d, void *userdata) {
        classify_device(userdata, d, true);
}

/* Alert sinks through the plugin ABI: every running plugin with an alert()
 * gets every transition (looked up per call: plugins restart on reload). */
static void plugin_alert_sink(void *userdata, const Alert *a, const char *event, const char *json) {
        Manager *m = userdata;
        for (size_t i = 0; i < m->n_plugins; i++) {
                Plugin *p = m->plugins[i];
                if (p->vt && p->vt->alert && (p->pstate == PLUGIN_RUNNING || p->pstate == PLUGIN_DONE))
                        p->vt->alert(p->state, json);
        }
}

/* Store, alert manager, and the inventory restored before any source runs. */
static int audit_start(Manager *m) {
        _cleanup_free_ char *error = NULL;
        int r;
        if (!m->oneshot) {
                StoreOptions so = {
                        .path = m->config->store_path,
                        .retention_days = m->config->store_retention_days,
                        .max_size_bytes = (uint64_t) m->config->store_max_size_mb << 20,
                };
                r = store_open(&so, &m->store, &error);
                if (r < 0)
                        return log_error_errno(r, "%s", error ? error : "cannot open the store");
        }
        r = audit_new(m->config->roles, m->config->policy, m->store, &m->audit);
        if (r < 0)
                return log_error_errno(r, "cannot set up the audit: %m");
        r = alerts_add_sink(audit_alerts(m->audit), plugin_alert_sink, m);
        if (r < 0)
                return r;
        if (m->oneshot) {
                /* one-shot modes report on stdout, they do not alert */
                AlertsConfig ac = m->config->policy->alerts;
                ac.transport = ALERT_TRANSPORT_NONE;
                return alert_manager_set_config(audit_alerts(m->audit), &ac);
        }
        r = audit_restore(m->audit, m->inventory, restore_classify, m, now_realtime_usec(), &error);
        if (r < 0)
                return log_error_errno(r, "%s", error ? error : "cannot restore the inventory from the store");
        log_info("store %s: %zu devices and %zu open alerts restored", m->config->store_path,
                 inventory_count(m->inventory), alerts_n_open(audit_alerts(m->audit)));
        r = store_attach_event(m->store, m->event);
        if (r < 0)
                return r;
        r = sd_event_add_time_relative(m->event, &m->audit_timer, CLOCK_MONOTONIC, USEC_PER_SEC, 0, on_audit_tick, m);
        if (r < 0)
                return r;
        return sd_event_source_set_enabled(m->audit_timer, SD_EVENT_ON);
}

static int on_watchdog(sd_event_source *s, uint64_t usec, void *userdata) {
        Manager *m = userdata;
        sd_notify(0, "WATCHDOG=1");
        sd_event_source_set_time_relative(s, m->watchdog_usec / 2);
        return 0;
}

int manager_start(Manager *m) {
        InventoryLimits limits = {
                .max_devices = m->config->inventory_max_devices,
                .retention_usec = (uint64_t) m->config->inventory_retention_days * 24 * 3600 * USEC_PER_SEC,
        };
        int r;

        log_set_max_level(m->config->log_level > log_get_max_level() ? m->config->log_level : log_get_max_level());
        r = manager_load_vendors(m, m->config, &m->vendors);
        if (r < 0)
                return r;
        r = inventory_new(&limits, &m->inventory);
        if (r < 0)
                return r;
        r = audit_start(m);
        if (r < 0)
                return r;
        if (!m->oneshot) {
                r = control_new(m, &m->control);
                if (r < 0)
                        return r;
                r = sd_event_add_time_relative(m->event, &m->age_timer, CLOCK_MONOTONIC,
                                               (uint64_t) m->config->inventory_age_interval_sec * USEC_PER_SEC,
                                               0, on_age, m);
                if (r < 0)
                        return r;
                sd_event_source_set_enabled(m->age_timer, SD_EVENT_ON);
                if (sd_watchdog_enabled(false, &m->watchdog_usec) > 0) {
                        r = sd_event_add_time_relative(m->event, &m->watchdog_timer, CLOCK_MONOTONIC,
                                                       m->watchdog_usec / 2, 0, on_watchdog, m);
                        if (r < 0)
                                return r;
                        sd_event_source_set_enabled(m->watchdog_timer, SD_EVENT_ON);
                        sd_notify(0, "WATCHDOG=1");
                }
        }
        r = plugins_start(m, m->config);
        if (r < 0)
                return r;
        if (!m->oneshot && m->config->metrics_path) {
                r = metrics_start(m);
                if (r < 0)
                        return r;
        }
        return 0;
}

int manager_reload(Manager *m, char **ret_error) {
        Config *c = NULL;
        VendorDb *db = NULL;
        _cleanup_free_ char *error = NULL;
        int r;

        sd_notifyf(0, "RELOADING=1\nSTATUS=Reloading the configuration\nMONOTONIC_USEC=%" PRIu64, now_monotonic_usec());
        log_info("Reloading the configuration.");
        r = config_load(m->config_arg, m->plugin_dir_arg, &c, &error);
        if (r >= 0)
                r = manager_check_plugins(m, c, &error);
        if (r >= 0) {
                r = manager_load_vendors(m, c, &db);
                if (r < 0 && !error)
                        error = strdup("cannot load the vendor data (see the log)");
        }
        if (r < 0) {
                m->stats.reload_failures++;
                log_error("Reload refused, keeping the running configuration: %s", error ? error : strerror(-r));
                config_free(c);
                sd_notify(0, "READY=1\nSTATUS=Running (last reload refused)");
                if (ret_error)
                        *ret_error = TAKE_PTR(error);
                return r;
        }

        /* Validated in full: swap it in.  The new plugins start before the
         * old ones stop, so a source is never left without a reader: a FIFO
         * feed's writers see no EPIPE, and the lines queued in it are not
         * dropped with its last open end. */
        Plugin **old_plugins = m->plugins;
        size_t n_old_plugins = m->n_plugins;
        Config *old_config = m->config;     /* the old plugins' groups live in it */
        m->plugins = NULL;
        m->n_plugins = 0;
        m->sources_pending = 0;
        m->config = c;
        /* the audit borrows the roles and policy: switch before the old ones go */
        (void) audit_set_config(m->audit, NULL, c->roles, c->policy, now_realtime_usec());
        vendor_db_free(m->vendors);
        m->vendors = db;
        log_set_max_level(c->log_level);
        (void) plugins_start(m, c);
        for (size_t i = 0; i < n_old_plugins; i++)
                plugin_free(old_plugins[i]);
        free(old_plugins);
        config_free(old_config);
        control_reconfigure(m->control);
        if (c->metrics_path)
                (void) metrics_start(m);

        m->stats.reloads++;
        log_info("Configuration reloaded; re-evaluating %zu devices.", inventory_count(m->inventory));
        sd_notifyf(0, "READY=1\nSTATUS=Running: %zu devices", inventory_count(m->inventory));
        return manager_reevaluate_all(m);
}

/* Verdicts depend on the rules: after a reload every device is classified
 * and evaluated again, in slices of at most REEVAL_SLICE_USEC so that the
 * loop keeps serving clients and sources in between.  A reload during a
 * pass starts it over. */
#define REEVAL_SLICE_USEC (20 * UINT64_C(1000))

static int on_reevaluate(sd_event_source *s, void *userdata) {
        Manager *m = userdata;
        uint64_t start = now_monotonic_usec();
        size_t n = 0;

        for (Device *d; (d = inventory_next(m->inventory, &m->reeval_cursor));) {
                d->vendor_fingerprint = 0;
                manager_device_changed(m, d, true);
                if (++n % 64 == 0 && now_monotonic_usec() - start >= REEVAL_SLICE_USEC) {
                        m->reeval_slices++;
                        return 0;       /* the defer source runs again next iteration */
                }
        }
        m->reeval_slices++;
        log_info("Re-evaluated %zu devices in %" PRIu64 " ms (%u slices).", inventory_count(m->inventory),
                 (now_monotonic_usec() - m->reeval_start) / 1000, m->reeval_slices);
        return sd_event_source_set_enabled(s, SD_EVENT_OFF);
}

int manager_reevaluate_all(Manager *m) {
        int r;
        m->reeval_cursor = 0;
        m->reeval_slices = 0;
        m->reeval_start = now_monotonic_usec();
        if (!m->reeval_source) {
                r = sd_event_add_defer(m->event, &m->reeval_source, on_reevaluate, m);
                if (r < 0)
                        return r;
        }
        return sd_event_source_set_enabled(m->reeval_source, SD_EVENT_ON);
}

/* A cheap digest of everything the vendor engine reads, so an unchanged
 * device (the common case: the same neighbour re-announcing) keeps its
 * verdict without re-running the rules. */
static uint64_t fp_mix(uint64_t h, const char *s) {
        if (!s)
                return h * 1099511628211u + 1;
        for (; *s; s++)
                h = (h ^ (uint8_t) *s) * 1099511628211u;
        return (h ^ 0xff) * 1099511628211u;
}

static uint64_t vendor_fingerprint(const struct vw_observation *const *obs, size_t n_obs) {
        uint64_t h = 14695981039346656037u;
        for (size_t i = 0; i < n_obs; i++) {
                const struct vw_observation *o = obs[i];
                h = fp_mix(h, o->source);
                h = fp_mix(h, o->chassis_id);
                h = fp_mix(h, o->sys_descr);
                h = fp_mix(h, o->sys_object_id);
                h = fp_mix(h, o->sys_name);
                h = fp_mix(h, o->platform);
                h = fp_mix(h, o->med_mfg);
                h = fp_mix(h, o->med_model);
                h = fp_mix(h, o->dhcp_vendor_class);
                h = fp_mix(h, o->hostname);
                /* a MAC is vendor evidence only through its registry block (at
                 * most 36 bits): port MACs of one box do not force a re-run */
                for (size_t k = 0; k < o->n_macs; k++) {
                        uint8_t mac[6];
                        if (mac_parse(o->macs[k], mac) < 0)
                                h = fp_mix(h, o->macs[k]);
                        else
                                h = (h ^ ((uint64_t) mac[0] << 32 | (uint64_t) mac[1] << 24 | (uint64_t) mac[2] << 16 |
                                          (uint64_t) mac[3] << 8 | (mac[4] & 0xf0))) * 1099511628211u;
                }
                for (size_t k = 0; k < o->n_entity_mfg; k++)
                        h = fp_mix(h, o->entity_mfg[k]);
                for (size_t k = 0; k < o->n_entity_model; k++)
                        h = fp_mix(h, o->entity_model[k]);
        }
        return h | 1;   /* 0 means "never classified" */
}

/* The observations are unpacked once: for the fingerprint, and for the
 * vendor engine when the fingerprint says the evidence changed. */
static void classify_device(Manager *m, Device *d, bool reclassify) {
        ObsView views[DEVICE_SOURCES_MAX];
        const struct vw_observation *obs[DEVICE_SOURCES_MAX];
        size_t n = 0;
        for (; n < d->n_obs; n++) {
                if (packed_obs_view(d->obs[n], &views[n]) < 0)
                        break;
                obs[n] = &views[n].o;
        }
        if (n == d->n_obs) {            /* else no memory: the verdict stays, the next change retries */
                uint64_t fp = vendor_fingerprint(obs, n);
                VendorVerdict v = VENDOR_VERDICT_INIT;
                if ((reclassify || fp != d->vendor_fingerprint) && vendor_classify(m->vendors, obs, n, &v) >= 0 &&
                    vendor_verdict_pack(&v) >= 0) {
                        vendor_verdict_done(&d->vendor);
                        d->vendor = v;
                        d->vendor_fingerprint = fp;
                        m->stats.classified++;
                }
        }
        for (size_t i = 0; i < n; i++)
                obs_view_done(&views[i]);
}

void manager_device_changed(Manager *m, Device *d, bool reclassify) {
        classify_device(m, d, reclassify);
        (void) audit_device_changed(m->audit, m->inventory, d, now_realtime_usec());
}

/* One observation: by the plugin's reference when it has one that still
 * holds, else the full way.  Returns the reference for the next one. */
static uint64_t observe_one(Manager *m, const struct vw_observation *obs, uint64_t ref, uint64_t now) {
        ObserveResult res;
        int r = ref ? inventory_refresh(m->inventory, ref, obs, now, &res) : 0;
        if (r == 0)
                r = inventory_merge(m->inventory, obs, now, &res);
        if (r == -ENOSPC) {
                if (m->stats.rejected++ % 1000 == 0)
                        log_warning("device cap (%u) reached: new devices are not recorded (%" PRIu64 " refused so far)",
                                    m->config->inventory_max_devices, m->stats.rejected);
                return 0;
        }
        if (r < 0) {
                m->stats.rejected++;
                log_debug("observation from %s dropped: %s", obs->source ? obs->source : "?",
                          r == -EINVAL ? "nothing identifies it" : strerror(-r));
                return 0;
        }
        m->stats.observations++;
        const Link *l = inventory_take_changed_link(m->inventory);
        if (l && m->store)
                store_put_link(m->store, l);
        Device *d = res.device;
        if (res.conflict) {
                /* counted always; logged for the first few, then only at debug
                 * level: anyone on the wire can forge these */
                if (m->stats.conflicts++ < 10)
                        log_notice("observation from %s for %s carries identifiers of another device: kept apart",
                           obs->source ? obs->source : "?", d->id);
                else
                        log_debug("identifier conflict for %s (%" PRIu64 " so far)", d->id, m->stats.conflicts);
        }
        if (res.refresh && res.same_vendor_inputs) {
                /* a neighbour announcing itself again: the vendor verdict stands */
                m->stats.refreshed++;
                (void) audit_device_refreshed(m->audit, m->inventory, d, obs, res.was_present, now);
                return res.ref;
        }
        manager_device_changed(m, d, false);
        return res.ref;
}

void manager_observe(Manager *m, const struct vw_observation *obs) {
        hugeheap_follow();
        uint64_t now = now_realtime_usec();
        (void) observe_one(m, obs, 0, now);
        audit_batch_end(m->audit, now);
}

void manager_observe_batch(Manager *m, struct vw_sighting *s, size_t n) {
        hugeheap_follow();                      /* where the heap grows */
        uint64_t now = now_realtime_usec();     /* a batch arrives at once */
        for (size_t i = 0; i < n; i += INVENTORY_BATCH_MAX) {
                size_t k = n - i < INVENTORY_BATCH_MAX ? n - i : INVENTORY_BATCH_MAX;
                inventory_prefetch(m->inventory, s + i, k);
                for (size_t j = 0; j < k; j++)
                        s[i + j].ref = observe_one(m, s[i + j].obs, s[i + j].ref, now);
                inventory_batch_end(m->inventory);
        }
        audit_batch_end(m->audit, now);         /* while the plugin's strings are there */
}

int manager_identify(Manager *m, const struct vw_observation *obs, VendorVerdict *ret) {
        const struct vw_observation *l[1] = { obs };
        return vendor_classify(m->vendors, l, 1, ret);
}
