/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Declarations shared by the plugin's files: the stored finding (also the tap record) and the stats. */
#ifndef SIPLINT_PLUGIN_H
#define SIPLINT_PLUGIN_H

#include <glib.h>

#include <siplint/engine.h>

/* One finding as the plugin keeps it for the whole capture file (wmem file scope), so that
 * every later pass (tshark -2, GUI re-dissection) replays exactly what the first pass saw.
 * The same struct is the tap record of the "siplint" tap: taps run after the packet is
 * dissected, and file scope outlives that. */
typedef struct siplint_finding_rec {
    struct siplint_finding_rec *next;
    const sl_rule *rule;
    sl_severity severity;          /* effective severity, as the engine reported it */
    guint32 frame;                 /* where the violation became certain */
    const char *message;           /* copied: the engine's text is only valid during the sink call */
    guint32 related[SL_MAX_RELATED];
    unsigned n_related;
    guint32 offset;                /* offending bytes inside the message... */
    guint32 length;                /* ...and their length (0 = the message as a whole) */
} siplint_finding_rec;

/* The "siplint" tap; tap_queue_packet() gets a const siplint_finding_rec *. */
extern int siplint_tap;

/* Registers "-z siplint,stat[,filter]" and the stats tree "-z siplint,tree" (siplint_stats.c).
 * Called from proto_register_siplint, i.e. during epan_init, before tshark reads its -z list. */
void siplint_register_stats(void);

/* The frame at which the engine's transaction tracker first had to drop an entry in the current
 * capture (0: it never did). */
guint32 siplint_tracker_full_frame(void);

#endif
