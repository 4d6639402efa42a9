/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pcap_loop: the benchmark's yardstick, a bare libpcap read loop (pcap_next_ex over every record,
 * touching nothing but the header) that prints packets and captured bytes.
 * usage: pcap_loop FILE */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    char err[PCAP_ERRBUF_SIZE];
    struct pcap_pkthdr *h;
    const u_char *data;
    uint64_t packets = 0, bytes = 0;
    unsigned sum = 0;
    pcap_t *p;
    int rc;

    if (argc != 2) {
        fprintf(stderr, "usage: pcap_loop FILE\n");
        return 2;
    }
    p = pcap_open_offline(argv[1], err);
    if (!p) {
        fprintf(stderr, "pcap_loop: %s\n", err);
        return 2;
    }
    while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
        packets++;
        bytes += h->caplen;
        sum += h->caplen ? data[0] : 0; /* one byte of each packet, as a reader must */
    }
    if (rc == PCAP_ERROR)
        fprintf(stderr, "pcap_loop: %s\n", pcap_geterr(p));
    pcap_close(p);
    printf("%llu packets %llu bytes (%u)\n", (unsigned long long)packets,
           (unsigned long long)bytes, sum & 1);
    return rc == PCAP_ERROR ? 2 : 0;
}
