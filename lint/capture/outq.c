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
    memset(&it->pl, 0, sizeof it->pl);
    it->text[0] = 0;
    return it;
}

int sl_outq_message(sl_outq *q, const void *data, size_t len, const sl_meta *meta)
{
    sl_outq_item *it = push(q);
    if (it == NULL)
        return -1;
    it->pl.kind = SL_PAYLOAD_MESSAGE;
    it->pl.data = data;
    it->pl.len = len;
    it->pl.meta = *meta;
    return 0;
}

int sl_outq_event(sl_outq *q, sl_rule_id rule, const sl_meta *meta, const char *fmt, ...)
{
    sl_outq_item *it = push(q);
    if (it == NULL)
        return -1;
    it->pl.kind = SL_PAYLOAD_EVENT;
    it->pl.rule = rule;
    it->pl.meta = *meta;
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
