/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The configuration file's suppressions applied to the CLI's finding records; the file itself is
 * parsed by lint/config (policy.c), shared with the Wireshark plugin. */
#include "cli.h"

int sl_policy_suppressed(const sl_policy *p, const sl_rec *rec)
{
    return sl_policy_suppresses(p, rec->rule, rec->frame, rec->call_id, rec->has_meta ? &rec->meta : NULL,
                                rec->file);
}
