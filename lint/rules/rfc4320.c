/* SPDX-License-Identifier: GPL-2.0-or-later */
/* RFC 4320 (non-INVITE transaction fixes): NIT-1XX, NIT-408. */
#include "../engine/engine_internal.h"

const sl_rule_impl sl_rules_rfc4320[] = {
    {SL_RULE__COUNT, NULL},
};
