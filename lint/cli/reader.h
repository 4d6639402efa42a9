/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The reader thread: a capture read and decoded ahead of the engine, on a second core (reader.c). */
#ifndef SIPLINT_CLI_READER_H
#define SIPLINT_CLI_READER_H

#include <stdint.h>

#include "capture.h"
#include "report.h"

typedef struct sl_reader sl_reader;

/* Where a payload came from, for the sink's file offsets and the progress line. */
typedef struct sl_reader_pos {
    uint64_t off;        /* file offset of the payload's first byte, SL_NO_OFFSET if unknown */
    size_t in_frame;     /* how many of its bytes lie in the frame at that offset */
    uint64_t packets, bytes; /* the capture's counts a little ahead of this payload */
    /* The payload parsed on the reader thread, for sl_engine_feed_parsed (with prc, sl_parse's
     * result); NULL when the caller is to parse it: sl_engine_feed. */
    const sl_msg *msg;
    sl_parse_rc prc;
} sl_reader_pos;

/* Start reading c on a thread of its own. NULL when no thread can be had (the caller then reads
 * c itself). c must not be used by the caller until sl_reader_stop. */
sl_reader *sl_reader_start(sl_capture *c);
/* sl_capture_next's contract, in the same order; out->data, out->text and pos->msg (with the
 * rows it points to) stay valid until the next call. */
sl_cap_rc sl_reader_next(sl_reader *r, sl_payload *out, sl_reader_pos *pos, char *errbuf);
/* Stop the thread (wherever it is) and free the batches; c is the caller's again. */
void sl_reader_stop(sl_reader *r);

#endif
