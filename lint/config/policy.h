/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The configuration file format (docs/cli.md "Configuration file"), parsed with GLib's GKeyFile.
 * Shared by the command-line tool and the Wireshark plugin, so that both read the same file the
 * same way and report the same errors ("FILE:LINE: [group] key: why"). */
#ifndef SIPLINT_CONFIG_POLICY_H
#define SIPLINT_CONFIG_POLICY_H

#include <stdint.h>

#include <glib.h>

#include "siplint/engine.h"

typedef struct sl_addr_match {
    int af;             /* 4 or 6 */
    uint8_t addr[16];
    int port;           /* -1: any */
} sl_addr_match;

typedef struct sl_frame_range {
    uint64_t lo, hi;
} sl_frame_range;

/* [suppress NAME]: findings of the listed rules, narrowed by every scope that is given. */
typedef struct sl_suppression {
    char *name;
    unsigned char rule[SL_RULE__COUNT];
    char **call_ids;            /* NULL: any */
    GArray *addrs;              /* sl_addr_match; NULL: any */
    GArray *frames;             /* sl_frame_range; NULL: any */
    char **files;               /* glob patterns on the input name; NULL: any */
} sl_suppression;

typedef struct sl_policy {
    sl_config cfg;
    sl_severity fail_on;
    int profile_interop;        /* profile = interop */
    int profile_locked;         /* set by --profile: the file's profile key is checked, not applied */
    GPtrArray *suppressions;    /* sl_suppression * */
} sl_policy;

void sl_policy_init(sl_policy *p);
void sl_policy_free(sl_policy *p);
/* Apply a configuration file. Returns 0, or -1 with "FILE:LINE: [group] key: why" in *err. */
int sl_policy_load(sl_policy *p, const char *path, char **err);
/* The configuration file that applies: .siplint.conf in the current directory or the nearest
 * parent, else $XDG_CONFIG_HOME/siplint/siplint.conf; NULL if none. */
char *sl_policy_find(void);
/* Apply profile=interop: rules whose table severity is warning report notes. */
void sl_policy_apply_profile(sl_policy *p);

/* Does a suppression cover a finding of rule in frame, with this Call-ID ("" if none), these
 * capture facts (meta NULL: unknown, an address scope then does not match) and this input name
 * (file NULL: unknown, a file scope then does not match)? */
int sl_policy_suppresses(const sl_policy *p, const sl_rule *rule, uint64_t frame, const char *call_id,
                         const sl_meta *meta, const char *file);

#endif
