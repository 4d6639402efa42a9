/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Records of a classic pcap file, read in large blocks (internal to lint/capture).
 *
 * libpcap reads every record with two freads into its own buffer, which costs more than the
 * rest of the capture layer for small packets. For the common case (a seekable pcap 2.4 file of
 * a link type we decode) capture.c lets libpcap open the file and check its header, then reads
 * the records itself through this reader: one large fread per megabyte, records handed out in
 * place. Everything else (pipes, gzip streams, pcapng, old format versions, the modified
 * "Kuznetzov" format, link types whose records libpcap rewrites) stays with libpcap.
 *
 * Damage is described with the very sentences libpcap 1.10 uses (sf-pcap.c), so that error
 * output does not depend on which reader ran. */
#ifndef SIPLINT_CAPTURE_PCAPFILE_H
#define SIPLINT_CAPTURE_PCAPFILE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct sl_pcapf sl_pcapf;

/* fp stands right after the 24-byte file header, at file offset start; the caller keeps
 * owning fp. big: the file is big-endian; nsec: the nanosecond magic; snaplen: the snapshot
 * length as libpcap adjusted it (pcap_snapshot). NULL when memory is exhausted. */
sl_pcapf *sl_pcapf_new(FILE *fp, uint64_t start, int big, int nsec, uint32_t snaplen);
void sl_pcapf_free(sl_pcapf *r);

typedef struct sl_pcapf_rec {
    int64_t ts_sec;       /* the record's unsigned 32-bit seconds */
    uint32_t ts_nsec;     /* below 10^9 (a larger fraction is carried into ts_sec) */
    uint32_t caplen, len; /* caplen cut to the snapshot length, as libpcap does */
    const uint8_t *data;  /* valid until the next call */
    uint64_t end;         /* file offset just past the record */
} sl_pcapf_rec;

/* The next record: 1, 0 at the end of the file, -1 on damage (why: libpcap's sentence). */
int sl_pcapf_next(sl_pcapf *r, sl_pcapf_rec *out, char *why, size_t whylen);

#endif
