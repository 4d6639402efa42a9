/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Header-name lookup (internal to lint/sip): the table hdrnames.c builds, and the lookup itself
 * as an inline function, so that the parser's lookup of every header row costs no call. */
#ifndef SIPLINT_SIP_HDRINDEX_H
#define SIPLINT_SIP_HDRINDEX_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "siplint/sip.h"
#include "sip_internal.h"

/* Open-addressed table of the long names, built once at load time. The slot is a function of
 * the length and the first and last letters (with bit 0x20 set, so that case does not matter);
 * the multiplier was chosen so that no two long names share a slot, so a known name costs
 * one probe and one comparison. Probing stays, so that a name added later still works. */
#define SL_HDR_SLOTS 256
#define SL_HDR_KEY_MAX 32 /* longer than any long name (Content-Transfer-Encoding: 25) */

/* Each long name in lower case and, per byte, the bit that folds an upper-case letter onto it:
 * (byte | fold) == lower holds exactly when the byte is that letter in either case (or, where
 * the name has '-', exactly '-'). Zero-padded so that word loads stay inside. */
typedef struct sl_hdr_key {
    unsigned char lower[SL_HDR_KEY_MAX];
    unsigned char fold[SL_HDR_KEY_MAX];
    size_t len;
} sl_hdr_key;

extern unsigned char sl_hdr_slots[SL_HDR_SLOTS]; /* header id, 0 = empty */
extern sl_hdr_key sl_hdr_keys[SL_H__COUNT];
extern const unsigned char sl_hdr_compact[26];   /* compact forms by letter */

static inline unsigned sl_hdr_slot(size_t len, unsigned char c0, unsigned char cl)
{
    return ((unsigned)len + (unsigned)(c0 | 0x20) * 22u + (unsigned)(cl | 0x20)) &
           (SL_HDR_SLOTS - 1);
}

static inline uint32_t sl_hdr_load32(const void *p)
{
    uint32_t w;
    memcpy(&w, p, 4);
    return w;
}

static inline uint16_t sl_hdr_load16(const void *p)
{
    uint16_t w;
    memcpy(&w, p, 2);
    return w;
}

/* name[0..len) against key k of the same length (2..SL_HDR_KEY_MAX - 1), case-insensitively, a
 * word at a time. The last word is loaded ending at len (overlapping the one before), so that
 * nothing past name[len - 1] is read. */
static inline int sl_hdr_key_eq(const char *name, size_t len, const sl_hdr_key *k)
{
    if (len >= 8) {
        for (size_t i = 0; i + 8 < len; i += 8)
            if ((sl_swar_load(name + i) | sl_swar_load((const char *)k->fold + i)) !=
                sl_swar_load((const char *)k->lower + i))
                return 0;
        size_t t = len - 8;
        return (sl_swar_load(name + t) | sl_swar_load((const char *)k->fold + t)) ==
               sl_swar_load((const char *)k->lower + t);
    }
    if (len >= 4) {
        size_t t = len - 4;
        return (sl_hdr_load32(name) | sl_hdr_load32(k->fold)) == sl_hdr_load32(k->lower) &&
               (sl_hdr_load32(name + t) | sl_hdr_load32(k->fold + t)) ==
                   sl_hdr_load32(k->lower + t);
    }
    size_t t = len - 2;
    return (uint16_t)(sl_hdr_load16(name) | sl_hdr_load16(k->fold)) == sl_hdr_load16(k->lower) &&
           (uint16_t)(sl_hdr_load16(name + t) | sl_hdr_load16(k->fold + t)) ==
               sl_hdr_load16(k->lower + t);
}

/* sl_hdr_lookup. */
static inline sl_hdr_id sl_hdr_find(const char *name, size_t len)
{
    if (len == 0 || len >= SL_HDR_KEY_MAX)
        return SL_H_OTHER;
    unsigned char c0 = (unsigned char)name[0];
    if (len == 1) {
        c0 = sl_lower(c0);
        return (c0 >= 'a' && c0 <= 'z') ? (sl_hdr_id)sl_hdr_compact[c0 - 'a'] : SL_H_OTHER;
    }
    for (unsigned s = sl_hdr_slot(len, c0, (unsigned char)name[len - 1]); sl_hdr_slots[s];
         s = (s + 1) & (SL_HDR_SLOTS - 1)) {
        const sl_hdr_key *k = &sl_hdr_keys[sl_hdr_slots[s]];
        if (k->len == len && sl_hdr_key_eq(name, len, k))
            return (sl_hdr_id)sl_hdr_slots[s];
    }
    return SL_H_OTHER;
}

#if defined(__SSE2__)
/* sl_hdr_find for a name of 1..15 bytes whose first 16 bytes (the name and whatever follows it)
 * the caller has loaded into v: a key is compared in one step, the bytes past len masked off.
 * The keys' arrays are SL_HDR_KEY_MAX (> 16) bytes long, so their loads stay inside. */
static inline sl_hdr_id sl_hdr_find_v(const char *name, size_t len, __m128i v)
{
    unsigned char c0 = (unsigned char)name[0];
    if (len == 1) {
        c0 = sl_lower(c0);
        return (c0 >= 'a' && c0 <= 'z') ? (sl_hdr_id)sl_hdr_compact[c0 - 'a'] : SL_H_OTHER;
    }
    unsigned want = (1u << len) - 1;
    for (unsigned s = sl_hdr_slot(len, c0, (unsigned char)name[len - 1]); sl_hdr_slots[s];
         s = (s + 1) & (SL_HDR_SLOTS - 1)) {
        const sl_hdr_key *k = &sl_hdr_keys[sl_hdr_slots[s]];
        if (k->len != len)
            continue;
        __m128i f = _mm_loadu_si128((const __m128i *)(const void *)k->fold);
        __m128i l = _mm_loadu_si128((const __m128i *)(const void *)k->lower);
        unsigned eq = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_or_si128(v, f), l));
        if ((eq & want) == want)
            return (sl_hdr_id)sl_hdr_slots[s];
    }
    return SL_H_OTHER;
}
#endif

#endif
