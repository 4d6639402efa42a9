/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pcap_repeat: build a large benchmark capture from a small real one by concatenating copies of
 * it, each shifted in time past the end of the one before by GAP seconds, until the output file
 * reaches SIZE MB (10^6 bytes; the last copy stops at a record boundary).
 *
 * The gap (default 3600 s) is longer than every state siplint keeps in capture time (64*T1
 * transactions, 30 min idle dialogs, 600 s idle TCP connections, fragment timeouts), so a copy
 * replays the same Call-IDs, branches and TCP connections as fresh traffic, exactly as the first
 * copy was linted: findings scale with the copies.
 * usage: pcap_repeat IN.pcap OUT.pcap SIZE_MB [GAP_S] */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rec {
    uint32_t sec, frac, caplen, len;
};

int main(int argc, char **argv)
{
    uint8_t gh[24];
    unsigned char *buf;
    size_t n, cap = 0, off;
    uint64_t target, written, gap;
    uint32_t first = 0, last = 0, magic;
    FILE *in, *out;
    unsigned copy;

    if (argc < 4) {
        fprintf(stderr, "usage: pcap_repeat IN.pcap OUT.pcap SIZE_MB [GAP_S]\n");
        return 2;
    }
    target = strtoull(argv[3], NULL, 10) * 1000000ull;
    gap = argc > 4 ? strtoull(argv[4], NULL, 10) : 3600;
    in = fopen(argv[1], "rb");
    if (!in || fread(gh, 1, 24, in) != 24) {
        fprintf(stderr, "pcap_repeat: cannot read %s\n", argv[1]);
        return 2;
    }
    memcpy(&magic, gh, 4);
    if (magic != 0xa1b2c3d4u && magic != 0xa1b23c4du) {
        fprintf(stderr, "pcap_repeat: %s is not a native-order pcap file\n", argv[1]);
        return 2;
    }
    /* slurp the records */
    buf = malloc(1 << 20);
    cap = 1 << 20;
    n = 0;
    for (;;) {
        if (n + (1 << 16) > cap) {
            cap *= 2;
            buf = realloc(buf, cap);
        }
        size_t r = fread(buf + n, 1, cap - n, in);
        if (r == 0)
            break;
        n += r;
    }
    fclose(in);
    for (off = 0; off + 16 <= n;) {
        struct rec r;
        memcpy(&r, buf + off, 16);
        if (off == 0)
            first = r.sec;
        last = r.sec;
        off += 16 + r.caplen;
    }
    n = off <= n ? off : n;
    out = fopen(argv[2], "wb");
    if (!out) {
        fprintf(stderr, "pcap_repeat: cannot write %s\n", argv[2]);
        return 2;
    }
    fwrite(gh, 1, 24, out);
    written = 24;
    for (copy = 0; written < target; copy++) {
        uint32_t shift = (uint32_t)(copy * ((uint64_t)(last - first) + 1 + gap));
        for (off = 0; off + 16 <= n && written < target;) {
            struct rec r;
            memcpy(&r, buf + off, 16);
            r.sec += shift;
            fwrite(&r, 1, 16, out);
            fwrite(buf + off + 16, 1, r.caplen, out);
            written += 16 + r.caplen;
            off += 16 + r.caplen;
        }
    }
    if (fclose(out) != 0) {
        fprintf(stderr, "pcap_repeat: write error on %s\n", argv[2]);
        return 2;
    }
    printf("%s: %u copies, %llu bytes\n", argv[2], copy, (unsigned long long)written);
    free(buf);
    return 0;
}
