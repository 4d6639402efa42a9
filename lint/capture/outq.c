/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The capture layer's output queue: see outq.h. */
#include "outq.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sl_outq_init(sl_outq *q)
{
    memset(q, 0, sizeof *q);
}

void sl_outq_free(sl_outq *q)
{
    free(q->items);
    memset(q, 0, sizeof *q);
}

static sl_outq_item *push(sl_outq *q)
{
    if (q->n == q->cap) {
        size_t cap = q->cap ? q->cap * 2 : 16;
        sl_outq_item *it = realloc(q->items, cap * sizeof *it);
        if (it == NULL)
            return NULL;
        q->items = it;
        q->cap = cap;
    }
    sl_outq_item *it = &q->items[q->n++];
    it->text[0] = 0;
    return it;
}

/* Every field of the payload is set: one message per datagram passes here, and clearing the
 * payload first would write it twice. */
static void set_payload(sl_payload *pl, sl_payload_kind kind, const void *data, size_t len,
                        const sl_meta *meta, sl_rule_id rule)
{
    pl->kind = kind;
    pl->data = data;
    pl->len = len;
    pl->meta = *meta;
    pl->rule = rule;
    pl->text = NULL;
}

int sl_outq_message(sl_outq *q, const void *data, size_t len, const sl_meta *meta)
{
    sl_outq_item *it = push(q);
    if (it == NULL)
        return -1;
    set_payload(&it->pl, SL_PAYLOAD_MESSAGE, data, len, meta, (sl_rule_id)0);
    return 0;
}

int sl_outq_event(sl_outq *q, sl_rule_id rule, const sl_meta *meta, const char *fmt, ...)
{
    sl_outq_item *it = push(q);
    if (it == NULL)
        return -1;
    set_payload(&it->pl, SL_PAYLOAD_EVENT, NULL, 0, meta, rule);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(it->text, sizeof it->text, fmt, ap);
    va_end(ap);
    return 0;
}

int sl_outq_pop(sl_outq *q, sl_payload *out)
{
    if (q->head == q->n) {
        q->head = q->n = 0;
        return 0;
    }
    sl_outq_item *it = &q->items[q->head++];
    *out = it->pl;
    out->text = it->text;
    return 1;
}
