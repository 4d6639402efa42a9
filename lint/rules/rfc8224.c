/* SPDX-License-Identifier: GPL-2.0-or-later */
/* RFC 8224 (SIP Identity): ID-NO-DATE. */
#include "../engine/engine_internal.h"

const sl_rule_impl sl_rules_rfc8224[] = {
    {SL_RULE__COUNT, NULL},
};
