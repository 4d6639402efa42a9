/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A small pcapng block reader (internal to lint/capture): any mix of interfaces and link types. */
#ifndef SIPLINT_CAPTURE_PCAPNG_H
#define SIPLINT_CAPTURE_PCAPNG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * Why our own reader: libpcap 1.10 reads a pcapng file only while all its interfaces share one
 * link type and snap length, and a pcapng file merged from several captures (mergecap, or a
 * capture on "any" interfaces by dumpcap) usually has several. Reading every pcapng file here
 * (rather than only those libpcap refuses) keeps one code path, works on pipes (libpcap's
 * refusal comes mid-file, when standard input can no longer be rewound), and gives each frame
 * its own link type. pcap files and live captures stay with libpcap.
 *
 * Blocks (draft-ietf-opsawg-pcapng): SHB (either byte order, several sections), IDB (link type,
 * snap length, if_tsresol, if_tsoffset), EPB, SPB and the obsolete PB are packets: one frame
 * each, as Wireshark numbers them. Every other block is skipped whatever its size. Lengths are
 * checked: a block shorter than its fields, a trailing length that differs from the leading one,
 * a packet block over SL_PCAPNG_MAX_BLOCK, an unknown interface id, or a file that ends inside a
 * block is damage, reported with the byte offset of the block.
 */

#define SL_PCAPNG_MAX_BLOCK (2u << 20) /* packet blocks; others are skipped whatever their size */

typedef struct sl_pcapng sl_pcapng;

/* Start reading fp, whose first 4 bytes (the SHB block type) have already been read. Returns
 * NULL when memory is exhausted. The reader does not close fp. */
sl_pcapng *sl_pcapng_open(FILE *fp);
void sl_pcapng_free(sl_pcapng *r);

typedef struct sl_pcapng_pkt {
    uint32_t linktype;  /* LINKTYPE_ value of the packet's interface */
    int64_t ts_sec;     /* if_tsresol and if_tsoffset applied */
    uint32_t ts_nsec;
    uint32_t caplen;    /* bytes in data */
    uint32_t len;       /* length on the wire (>= caplen) */
    const uint8_t *data;/* valid until the next call */
    uint64_t offset;    /* byte offset of the block in the file */
    uint64_t data_offset; /* byte offset of data[0] in the file */
} sl_pcapng_pkt;

/* 1: *pkt holds the next packet; 0: end of file; -1: damage, with a sentence in why (no file
 * name, no frame number: the caller adds them). */
int sl_pcapng_next(sl_pcapng *r, sl_pcapng_pkt *pkt, char *why, size_t why_len);

#endif
