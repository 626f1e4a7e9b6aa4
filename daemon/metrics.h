/* SPDX-License-Identifier: MIT */
#pragma once

#include "manager.h"

/* Prometheus metrics in the node-exporter textfile format, written
 * atomically (temp file + rename) to `metrics.path` every
 * `metrics.interval_sec`. */
int metrics_write(Manager *m, const char *path);
int metrics_start(Manager *m);
