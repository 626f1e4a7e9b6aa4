/* SPDX-License-Identifier: MIT */
/*
 * Where frames come from: a libpcap handle per interface, opened and closed as
 * rtnetlink reports interfaces appearing, going up or down, and vanishing; or
 * one capture file read through a defer source.  Needs CAP_NET_RAW only
 * (packet sockets; joining multicast groups and promiscuous mode go through
 * PACKET_ADD_MEMBERSHIP on the same socket).
 */
#include <errno.h>
#include <fnmatch.h>
#include <net/if_arp.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lldp-plugin.h"

/* LLDP by ethertype (any destination: nearest bridge, non-TPMR, customer
 * bridge), CDP by its multicast address, each also behind one or two VLAN
 * tags.  `vlan` moves the offsets of what follows it, hence the nesting. */
static const char capture_filter[] =
        "ether proto 0x88cc or ether dst 01:00:0c:cc:cc:cc or "
        "(vlan and (ether proto 0x88cc or (vlan and ether proto 0x88cc)))";

/* With `hosts`: also ARP, DHCP and DHCPv6 by port, and ICMPv6 neighbour
 * solicitations/advertisements (type at ip6[40]: no extension headers; the
 * kernel sends ND without them), likewise untagged or behind one or two
 * tags.  The host part is written out at each nesting level. */
#define HOSTS_MATCH                                                                                      \
        "(arp or udp port 67 or udp port 68 or udp port 546 or udp port 547 or "                        \
        "(ip6 and ip6[6] == 58 and (ip6[40] == 135 or ip6[40] == 136)))"
static const char capture_filter_hosts[] =
        "ether proto 0x88cc or ether dst 01:00:0c:cc:cc:cc or " HOSTS_MATCH " or "
        "(vlan and (ether proto 0x88cc or " HOSTS_MATCH " or (vlan and (ether proto 0x88cc or " HOSTS_MATCH "))))";

/* Multicast groups to join when not promiscuous. */
static const uint8_t groups[][6] = {
        { 0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e },        /* LLDP nearest bridge */
        { 0x01, 0x80, 0xc2, 0x00, 0x00, 0x03 },        /* LLDP nearest non-TPMR bridge */
        { 0x01, 0x00, 0x0c, 0xcc, 0xcc, 0xcc },        /* CDP */
};

/* ... and with `hosts` (ARP and DHCP are broadcast; neighbour solicitations
 * go to solicited-node groups, which only promiscuous mode sees). */
static const uint8_t host_groups[][6] = {
        { 0x33, 0x33, 0x00, 0x00, 0x00, 0x01 },        /* all nodes: unsolicited advertisements */
        { 0x33, 0x33, 0x00, 0x01, 0x00, 0x02 },        /* DHCPv6 servers and relays */
};

#define SNAPLEN 4096
#define BATCH_LIVE 256
#define BATCH_FILE 1024
#define BATCH_FILE_ONESHOT 65536
#define FILE_BLOCK (1u << 20)

static const char *const state_names[] = {
        [IFACE_ABSENT] = "absent",
        [IFACE_DOWN] = "down",
        [IFACE_CAPTURING] = "capturing",
        [IFACE_FAILED] = "failed",
};

const char *capture_state_name(enum iface_state s) {
        return state_names[s];
}

static uint64_t mono_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u;
}

/* Log a change of state once: repeated reports of the same state are quiet. */
static void iface_set_state(struct lldp_iface *i, enum iface_state s, const char *why) {
        if (i->state == s)
                return;
        i->state = s;
        log_pl(i->pl, s == IFACE_FAILED ? VW_LOG_WARNING : VW_LOG_NOTICE, "%s: %s%s%s", i->name,
               state_names[s], why ? ": " : "", why ? why : "");
}

static void stats_fold(struct lldp_iface *i) {
        struct pcap_stat st;
        if (i->pcap && pcap_stats(i->pcap, &st) == 0) {
                i->pcap_recv += st.ps_recv;
                i->pcap_drop += st.ps_drop;
                i->pcap_ifdrop += st.ps_ifdrop;
        }
}

void capture_iface_stats(struct lldp_iface *i, uint64_t *recv, uint64_t *drop, uint64_t *ifdrop) {
        struct pcap_stat st;
        *recv = i->pcap_recv, *drop = i->pcap_drop, *ifdrop = i->pcap_ifdrop;
        if (i->pcap && !i->pl->file && pcap_stats(i->pcap, &st) == 0) {
                *recv += st.ps_recv;
                *drop += st.ps_drop;
                *ifdrop += st.ps_ifdrop;
        }
        if (i->pl->file)
                *recv = i->frames;
}

static void iface_close(struct lldp_iface *i) {
        i->io = sd_event_source_disable_unref(i->io);
        if (i->pcap) {
                stats_fold(i);
                pcap_close(i->pcap);
                i->pcap = NULL;
        }
}

static void iface_read(struct lldp_iface *i) {
        for (unsigned total = 0; total < 16 * BATCH_LIVE;) {
                int n = pcap_dispatch(i->pcap, BATCH_LIVE, lldp_handle_frame, (u_char *) i);
                lldp_flush(i->pl);
                if (n == 0)
                        return;
                if (n > 0) {
                        total += (unsigned) n;
                        continue;
                }
                /* the interface went down or away; rtnetlink tells us when it is back */
                char why[PCAP_ERRBUF_SIZE + 16];
                snprintf(why, sizeof why, "capture stopped: %s", pcap_geterr(i->pcap));
                iface_close(i);
                iface_set_state(i, IFACE_DOWN, why);
                return;
        }
}

static int on_pcap_io(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        iface_read(userdata);
        return 0;
}

static int iface_open(struct lldp_iface *i) {
        struct lldp_plugin *pl = i->pl;
        char err[PCAP_ERRBUF_SIZE] = "";
        struct bpf_program prog;
        int r;

        pcap_t *p = pcap_create(i->name, err);
        if (!p) {
                iface_set_state(i, IFACE_FAILED, err);
                return -EIO;
        }
        pcap_set_snaplen(p, SNAPLEN);
        pcap_set_immediate_mode(p, 1);
        pcap_set_promisc(p, pl->promiscuous);
        pcap_set_buffer_size(p, 1 << 20);
        r = pcap_activate(p);
        if (r < 0) {
                snprintf(err, sizeof err, "%s%s%s", pcap_statustostr(r), r == PCAP_ERROR ? ": " : "",
                         r == PCAP_ERROR ? pcap_geterr(p) : "");
                if (r == PCAP_ERROR_PERM_DENIED)
                        snprintf(err, sizeof err, "%s (capturing needs CAP_NET_RAW)", pcap_geterr(p));
                goto fail;
        }
        if (pcap_datalink(p) != DLT_EN10MB) {
                snprintf(err, sizeof err, "link type %s is not Ethernet", pcap_datalink_val_to_name(pcap_datalink(p)));
                goto fail;
        }
        if (pcap_setnonblock(p, 1, err) < 0)
                goto fail;
        /* our own host's lldpd is not a neighbour */
        (void) pcap_setdirection(p, PCAP_D_IN);
        if (pcap_compile(p, &prog, pl->hosts ? capture_filter_hosts : capture_filter, 1, PCAP_NETMASK_UNKNOWN) < 0) {
                snprintf(err, sizeof err, "filter: %s", pcap_geterr(p));
                goto fail;
        }
        r = pcap_setfilter(p, &prog);
        pcap_freecode(&prog);
        if (r < 0) {
                snprintf(err, sizeof err, "filter: %s", pcap_geterr(p));
                goto fail;
        }
        int fd = pcap_get_selectable_fd(p);
        if (fd < 0) {
                snprintf(err, sizeof err, "no selectable fd");
                goto fail;
        }
        size_t n_groups = sizeof groups / sizeof groups[0] + (pl->hosts ? sizeof host_groups / sizeof host_groups[0] : 0);
        if (!pl->promiscuous)
                for (size_t g = 0; g < n_groups; g++) {
                        const uint8_t *addr = g < sizeof groups / sizeof groups[0]
                                                      ? groups[g]
                                                      : host_groups[g - sizeof groups / sizeof groups[0]];
                        struct packet_mreq mr = {
                                .mr_ifindex = i->ifindex,
                                .mr_type = PACKET_MR_MULTICAST,
                                .mr_alen = 6,
                        };
                        memcpy(mr.mr_address, addr, 6);
                        if (setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof mr) < 0)
                                log_pl(pl, VW_LOG_WARNING, "%s: cannot join multicast group %02x:%02x:%02x:%02x:%02x:%02x: %m",
                                       i->name, addr[0], addr[1], addr[2], addr[3], addr[4], addr[5]);
                }
        r = sd_event_add_io(pl->event, &i->io, fd, EPOLLIN, on_pcap_io, i);
        if (r < 0) {
                snprintf(err, sizeof err, "event loop: %s", strerror(-r));
                goto fail;
        }
        i->pcap = p;
        i->capture_since_usec = mono_usec();
        char why[64];
        snprintf(why, sizeof why, "ifindex %d%s", i->ifindex, pl->promiscuous ? ", promiscuous" : "");
        iface_set_state(i, IFACE_CAPTURING, why);
        return 0;
fail:
        pcap_close(p);
        iface_set_state(i, IFACE_FAILED, err);
        return -EIO;
}

/* ---- interfaces from rtnetlink ---- */

static bool iface_wanted(struct lldp_plugin *pl, const char *name) {
        if (pl->n_patterns == 0)
                return true;
        for (size_t j = 0; j < pl->n_patterns; j++)
                if (fnmatch(pl->patterns[j], name, 0) == 0)
                        return true;
        return false;
}

static struct lldp_iface *iface_get(struct lldp_plugin *pl, const char *name, bool create) {
        for (size_t j = 0; j < pl->n_ifaces; j++)
                if (strcmp(pl->ifaces[j]->name, name) == 0)
                        return pl->ifaces[j];
        if (!create)
                return NULL;
        struct lldp_iface **a = realloc(pl->ifaces, (pl->n_ifaces + 1) * sizeof *a);
        if (!a)
                return NULL;
        pl->ifaces = a;
        struct lldp_iface *i = lldp_iface_new(pl, name);
        if (!i)
                return NULL;
        pl->ifaces[pl->n_ifaces++] = i;
        return i;
}

static void link_changed(struct lldp_plugin *pl, bool removed, int ifindex, unsigned flags, unsigned type,
                         const char *name) {
        /* a rename looks like the old name vanishing */
        for (size_t j = 0; j < pl->n_ifaces; j++) {
                struct lldp_iface *o = pl->ifaces[j];
                if (o->ifindex == ifindex && strcmp(o->name, name) != 0) {
                        iface_close(o);
                        o->ifindex = 0;
                        iface_set_state(o, IFACE_ABSENT, "renamed");
                }
        }
        if (type != ARPHRD_ETHER || !iface_wanted(pl, name))
                return;
        struct lldp_iface *i = iface_get(pl, name, !removed);
        if (!i)
                return;
        if (removed) {
                iface_close(i);
                i->ifindex = 0;
                iface_set_state(i, IFACE_ABSENT, "removed");
                return;
        }
        if (i->ifindex != ifindex) {
                /* re-created under the same name: the old handle is dead */
                iface_close(i);
                i->ifindex = ifindex;
        }
        if (!(flags & IFF_UP)) {
                iface_close(i);
                iface_set_state(i, IFACE_DOWN, NULL);
                return;
        }
        if (!i->pcap)
                (void) iface_open(i);
}

static void nl_parse(struct lldp_plugin *pl, const uint8_t *buf, size_t len, uint32_t dump_seq, bool *ret_done) {
        for (const struct nlmsghdr *h = (const void *) buf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
                if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR) {
                        if (ret_done && h->nlmsg_seq == dump_seq)
                                *ret_done = true;
                        continue;
                }
                if (h->nlmsg_type != RTM_NEWLINK && h->nlmsg_type != RTM_DELLINK)
                        continue;
                if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct ifinfomsg)))
                        continue;
                const struct ifinfomsg *ifi = NLMSG_DATA(h);
                size_t alen = IFLA_PAYLOAD(h);
                const char *name = NULL;
                for (const struct rtattr *a = IFLA_RTA(ifi); RTA_OK(a, alen); a = RTA_NEXT(a, alen))
                        if (a->rta_type == IFLA_IFNAME && RTA_PAYLOAD(a) > 0 &&
                            memchr(RTA_DATA(a), 0, RTA_PAYLOAD(a)) && strlen(RTA_DATA(a)) < IF_NAMESIZE)
                                name = RTA_DATA(a);
                if (!name)
                        continue;
                link_changed(pl, h->nlmsg_type == RTM_DELLINK, ifi->ifi_index, ifi->ifi_flags, ifi->ifi_type,
                             name);
        }
}

static int nl_request_dump(struct lldp_plugin *pl) {
        struct {
                struct nlmsghdr h;
                struct ifinfomsg i;
        } req = {
                .h = {
                        .nlmsg_len = sizeof req,
                        .nlmsg_type = RTM_GETLINK,
                        .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
                        .nlmsg_seq = ++pl->nl_seq,
                },
                .i = { .ifi_family = AF_UNSPEC },
        };
        struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
        if (sendto(pl->nl_fd, &req, sizeof req, 0, (struct sockaddr *) &kernel, sizeof kernel) < 0)
                return -errno;
        return 0;
}

/* Drain the socket; returns -EAGAIN when empty.  `dump_seq` and `ret_done`
 * let start-up wait for its dump to finish. */
static int nl_drain(struct lldp_plugin *pl, uint32_t dump_seq, bool *ret_done) {
        static _Alignas(struct nlmsghdr) uint8_t buf[65536];
        for (;;) {
                ssize_t n = recv(pl->nl_fd, buf, sizeof buf, MSG_DONTWAIT);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == ENOBUFS) {
                                /* we missed events: ask for the whole picture again */
                                log_pl(pl, VW_LOG_DEBUG, "rtnetlink overrun, re-reading interfaces");
                                (void) nl_request_dump(pl);
                                continue;
                        }
                        return -errno;
                }
                nl_parse(pl, buf, (size_t) n, dump_seq, ret_done);
        }
}

static int on_nl_io(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        (void) nl_drain(userdata, 0, NULL);
        return 0;
}

static int on_silence_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        struct lldp_plugin *pl = userdata;
        uint64_t now = mono_usec();

        for (size_t j = 0; j < pl->n_ifaces; j++) {
                struct lldp_iface *i = pl->ifaces[j];
                if (i->state != IFACE_CAPTURING || i->silent_warned)
                        continue;
                uint64_t since = i->last_heard_mono > i->capture_since_usec ? i->last_heard_mono
                                                                            : i->capture_since_usec;
                if (now - since >= pl->silent_warning_sec * 1000000u) {
                        log_pl(pl, VW_LOG_WARNING,
                               "%s: no LLDP/CDP heard for %" PRIu64 " s (NIC firmware or the switch may be filtering it)",
                               i->name, (now - since) / 1000000u);
                        i->silent_warned = true;
                }
        }
        uint64_t period = pl->silent_warning_sec * 1000000u / 4;
        (void) sd_event_source_set_time_relative(s, period < 1000000u ? 1000000u : period);
        (void) sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
        return 0;
}

int capture_start(struct lldp_plugin *pl) {
        struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK };
        int r;

        pl->event = sd_event_ref(pl->host_event);
        pl->nl_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
        if (pl->nl_fd < 0)
                return r = -errno, log_pl(pl, VW_LOG_ERR, "rtnetlink socket: %s", strerror(-r)), r;
        int sz = 1 << 20;
        (void) setsockopt(pl->nl_fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz);
        if (bind(pl->nl_fd, (struct sockaddr *) &sa, sizeof sa) < 0)
                return r = -errno, log_pl(pl, VW_LOG_ERR, "rtnetlink bind: %s", strerror(-r)), r;

        /* Interfaces present now are captured before start() returns, so
         * READY=1 means "listening". */
        r = nl_request_dump(pl);
        if (r < 0)
                return log_pl(pl, VW_LOG_ERR, "rtnetlink dump: %s", strerror(-r)), r;
        uint32_t seq = pl->nl_seq;
        bool done = false;
        while (!done) {
                struct pollfd pfd = { .fd = pl->nl_fd, .events = POLLIN };
                r = poll(&pfd, 1, 5000);
                if (r == 0)
                        return log_pl(pl, VW_LOG_ERR, "rtnetlink dump: no answer"), -ETIMEDOUT;
                if (r < 0 && errno != EINTR)
                        return r = -errno, log_pl(pl, VW_LOG_ERR, "rtnetlink poll: %s", strerror(-r)), r;
                r = nl_drain(pl, seq, &done);
                if (r < 0 && r != -EAGAIN)
                        return log_pl(pl, VW_LOG_ERR, "rtnetlink: %s", strerror(-r)), r;
        }
        r = sd_event_add_io(pl->event, &pl->nl_io, pl->nl_fd, EPOLLIN, on_nl_io, pl);
        if (r < 0)
                return log_pl(pl, VW_LOG_ERR, "event loop: %s", strerror(-r)), r;

        for (size_t j = 0; j < pl->n_patterns; j++)
                if (!strpbrk(pl->patterns[j], "*?[") && !iface_get(pl, pl->patterns[j], false))
                        log_pl(pl, VW_LOG_WARNING, "%s: not present; it will be captured when it appears",
                               pl->patterns[j]);

        if (pl->silent_warning_sec > 0 && !pl->oneshot) {
                uint64_t period = pl->silent_warning_sec * 1000000u / 4;
                r = sd_event_add_time_relative(pl->event, &pl->silence_timer, CLOCK_MONOTONIC,
                                               period < 1000000u ? 1000000u : period, 1000000u,
                                               on_silence_timer, pl);
                if (r < 0)
                        return log_pl(pl, VW_LOG_ERR, "timer: %s", strerror(-r)), r;
        }
        return 0;
}

void capture_stop(struct lldp_plugin *pl) {
        for (size_t j = 0; j < pl->n_ifaces; j++) {
                iface_close(pl->ifaces[j]);
                lldp_iface_free(pl->ifaces[j]);
        }
        free(pl->ifaces);
        pl->ifaces = NULL;
        pl->n_ifaces = 0;
        pl->silence_timer = sd_event_source_disable_unref(pl->silence_timer);
        pl->nl_io = sd_event_source_disable_unref(pl->nl_io);
        if (pl->nl_fd >= 0)
                close(pl->nl_fd);
        pl->nl_fd = -EBADF;
}

/* ---- offline: a capture file ---- */

static void file_finish(struct lldp_plugin *pl, const char *error) {
        struct lldp_iface *i = pl->file_iface;
        uint64_t malformed = 0;

        (void) sd_event_source_set_enabled(pl->file_defer, SD_EVENT_OFF);
        pl->file_done = true;
        for (size_t r = 0; r < _LLDP_REASON_MAX; r++)
                malformed += i->malformed[r];
        if (error) {
                pl->file_error = strdup(error);
                log_pl(pl, VW_LOG_ERR, "%s: %s", pl->pcap_file, error);
                if (pl->oneshot) {
                        /* --replay must not print a partial inventory as if complete */
                        (void) sd_event_exit(pl->event, -EBADMSG);
                        return;
                }
        } else {
                uint64_t host_frames = 0, host_malformed = 0;
                for (size_t p = 0; p < _HOSTS_PROTO_MAX; p++)
                        host_frames += i->hosts.n.frames[p];
                for (size_t r = 0; r < _HOSTS_REASON_MAX; r++)
                        host_malformed += i->hosts.n.malformed[r];
                log_pl(pl, VW_LOG_INFO,
                       "%s: end of capture: %" PRIu64 " frames, %" PRIu64 " LLDP, %" PRIu64 " CDP, %" PRIu64
                       " malformed, %" PRIu64 " other%s",
                       pl->pcap_file, i->frames, i->lldp, i->cdp, malformed, i->other, pl->hosts ? ";" : "");
                if (pl->hosts)
                        log_pl(pl, VW_LOG_INFO,
                               "%s: end hosts: %" PRIu64 " ARP/ND/DHCP frames, %" PRIu64 " malformed, %" PRIu64
                               " observations, %" PRIu64 " repeats not re-sent, %" PRIu64 " refused by the cap",
                               pl->pcap_file, host_frames, host_malformed, i->hosts.n.observations,
                               i->hosts.n.repeats, i->hosts.n.cap_refused);
        }
        pl->ops->done(pl->ctx);
}

static int on_file_defer(sd_event_source *s, void *userdata) {
        struct lldp_plugin *pl = userdata;
        const unsigned max = pl->oneshot ? BATCH_FILE_ONESHOT : BATCH_FILE;
        unsigned n = 0;
        int r = 0;

        while (n < max) {
                struct pcap_pkthdr h;
                const uint8_t *data;
                bool kept;
                r = pcapblk_reader_next(pl->file_reader, &h, &data, &kept);
                if (r == -EAGAIN) {
                        /* the batch's frames point into the block about to move */
                        lldp_flush(pl);
                        pcapblk_reader_fill(pl->file_reader);
                        continue;
                }
                if (r <= 0)
                        break;
                lldp_take_frame(pl->file_iface, &h, data, kept);
                n++;
        }
        lldp_flush(pl);
        if (r < 0 && r != -EAGAIN)
                file_finish(pl, pcapblk_reader_error(pl->file_reader));
        else if (r == 0 && n == 0)
                file_finish(pl, NULL);
        return 0;
}

int capture_file_open(struct lldp_plugin *pl, bool check_only) {
        char err[PCAP_ERRBUF_SIZE] = "";
        int r;

        /* opened here to give it a 1 MiB stdio buffer: libpcap reads the
         * records of a pcapng file with fread, and the default (a page) costs
         * a read(2) per 4 KiB (a classic pcap file is read in blocks,
         * pcap-block.c) */
        FILE *f = fopen(pl->pcap_file, "re");
        if (!f) {
                log_pl(pl, VW_LOG_ERR, "%s: cannot read capture: %s", pl->pcap_file, strerror(errno));
                return -EINVAL;
        }
        (void) setvbuf(f, NULL, _IOFBF, 1 << 20);
        pl->file = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_MICRO, err);
        if (!pl->file) {
                fclose(f);
                log_pl(pl, VW_LOG_ERR, "%s: cannot read capture: %s", pl->pcap_file, err);
                return -EINVAL;
        }
        int dlt = pcap_datalink(pl->file);
        if (dlt != DLT_EN10MB) {
                const char *name = pcap_datalink_val_to_name(dlt);
                log_pl(pl, VW_LOG_ERR, "%s: unsupported link type %d (%s); only Ethernet captures can be read",
                       pl->pcap_file, dlt, name ? name : "unknown");
                return -EINVAL;
        }
        if (check_only)
                return 0;
        r = pcapblk_reader_new(pl->file, FILE_BLOCK, &pl->file_reader);
        if (r < 0)
                return r;

        const char *base = strrchr(pl->pcap_file, '/');
        pl->file_iface = lldp_iface_new(pl, base ? base + 1 : pl->pcap_file);
        if (!pl->file_iface)
                return -ENOMEM;
        pl->file_iface->state = IFACE_CAPTURING;
        pl->event = sd_event_ref(pl->host_event);
        r = sd_event_add_defer(pl->event, &pl->file_defer, on_file_defer, pl);
        if (r < 0)
                return log_pl(pl, VW_LOG_ERR, "event loop: %s", strerror(-r)), r;
        r = sd_event_source_set_enabled(pl->file_defer, SD_EVENT_ON);
        if (r < 0)
                return r;
        return 0;
}

void capture_file_close(struct lldp_plugin *pl) {
        pl->file_defer = sd_event_source_disable_unref(pl->file_defer);
        pl->file_reader = pcapblk_reader_free(pl->file_reader);
        if (pl->file)
                pcap_close(pl->file);
        pl->file = NULL;
        lldp_iface_free(pl->file_iface);
        pl->file_iface = NULL;
}
