/* SPDX-License-Identifier: MIT */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <sys/types.h>

#include "manager.h"

#define CONTROL_PROTOCOL_VERSION 1
#define CONTROL_REQUEST_MAX (64 * 1024)

typedef struct Client Client;

struct JsonOut;

/* A reply written in slices: next() yields items until NULL.  A stream may
 * instead write its items as text: next_text() appends one item to `out` and
 * returns true, or returns false at the end (it then leaves `out` alone). */
typedef struct Stream {
        const char *name;
        json_object *(*next)(Manager *m, void *state);
        bool (*next_text)(Manager *m, void *state, struct JsonOut *out);
        void (*free)(void *state);
        void *state;
        size_t count;
} Stream;

typedef struct Request {
        Manager *manager;
        json_object *args;
        uid_t uid;
        gid_t gid;
        pid_t pid;
} Request;

/* A handler returns >= 0 with either *ret_reply (an object whose members are
 * added to {"version","ok":true}) or *ret_stream filled; or -errno with
 * *ret_error naming the reason. */
typedef int (*command_fn)(Request *req, json_object **ret_reply, Stream *ret_stream, char **ret_error);

typedef struct Command {
        const char *name;
        bool admin;
        command_fn fn;
} Command;

int control_new(Manager *m, Control **ret);
Control *control_free(Control *c);
void control_reconfigure(Control *c);
size_t control_n_clients(Control *c);

/* The table (commands.c). */
const Command *command_find(const char *name);

/* One request line in, its reply object out (an error reply for anything
 * malformed or refused).  For a streamed reply, the returned object is the
 * stream's head line and *ret_stream is set (its next() is non-NULL): the
 * caller pumps it and frees its state.  The transport (control.c's clients)
 * and the fuzz target share it. */
struct ucred;
json_object *control_dispatch(Manager *m, const struct ucred *cred, const char *line, size_t len, Stream *ret_stream);

/* Framing, exposed for the unit test: split `buf` into complete lines. */
int control_next_line(const char *buf, size_t len, size_t *ret_line_len, size_t *ret_consumed);
