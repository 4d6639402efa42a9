/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The progress line on standard error (a terminal only): bytes and packets done, rate, findings. */
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

#include "cli.h"

static struct {
    int enabled;
    uint64_t total_bytes;      /* of the regular input files, for a percentage; 0 unknown */
    gint64 start;
    GThread *thread;
    GMutex lock;               /* held while the line is drawn or the terminal is written */
    GCond wake;
    int stop;
    int shown;                 /* a line is on the terminal */
    int paused;
} pg;

static _Atomic uint64_t done_bytes, done_packets, found;

void sl_progress_add(uint64_t bytes, uint64_t packets, uint64_t findings)
{
    if (!pg.enabled)
        return;
    if (bytes)
        atomic_fetch_add(&done_bytes, bytes);
    if (packets)
        atomic_fetch_add(&done_packets, packets);
    if (findings)
        atomic_fetch_add(&found, findings);
}

static void human(char *buf, size_t cap, double v)
{
    const char *u[] = {"B", "kB", "MB", "GB", "TB"};
    int i = 0;
    while (v >= 1000 && i < 4) {
        v /= 1000;
        i++;
    }
    snprintf(buf, cap, i ? "%.1f %s" : "%.0f %s", v, u[i]);
}

static void draw(void)
{
    double secs = (double)(g_get_monotonic_time() - pg.start) / 1e6;
    uint64_t b = atomic_load(&done_bytes), p = atomic_load(&done_packets), f = atomic_load(&found);
    char hb[32], rate[32], pct[16] = "";
    human(hb, sizeof hb, (double)b);
    human(rate, sizeof rate, secs > 0 ? (double)b / secs : 0);
    if (pg.total_bytes && b <= pg.total_bytes)
        snprintf(pct, sizeof pct, " (%.0f%%)", 100.0 * (double)b / (double)pg.total_bytes);
    fprintf(stderr, "\r\033[Ksiplint: %s%s, %llu packets, %s/s, %.0f packets/s, %llu finding%s", hb, pct,
            (unsigned long long)p, rate, secs > 0 ? (double)p / secs : 0.0, (unsigned long long)f,
            f == 1 ? "" : "s");
    fflush(stderr);
    pg.shown = 1;
}

static gpointer run(gpointer unused)
{
    (void)unused;
    g_mutex_lock(&pg.lock);
    /* only long runs get a line: nothing in the first second */
    gint64 next = g_get_monotonic_time() + G_TIME_SPAN_SECOND;
    while (!pg.stop) {
        if (!g_cond_wait_until(&pg.wake, &pg.lock, next)) {
            if (!pg.paused && !pg.stop)
                draw();
            next = g_get_monotonic_time() + G_TIME_SPAN_SECOND / 4;
        }
    }
    g_mutex_unlock(&pg.lock);
    return NULL;
}

void sl_progress_start(int enabled, uint64_t total_bytes)
{
    pg.enabled = enabled && isatty(STDERR_FILENO);
    if (!pg.enabled)
        return;
    pg.total_bytes = total_bytes;
    pg.start = g_get_monotonic_time();
    g_mutex_init(&pg.lock);
    g_cond_init(&pg.wake);
    pg.thread = g_thread_new("progress", run, NULL);
}

static void clear(void)
{
    if (pg.shown) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
        pg.shown = 0;
    }
}

void sl_progress_pause(void)
{
    if (!pg.enabled)
        return;
    g_mutex_lock(&pg.lock);
    clear();
    pg.paused = 1;
}

void sl_progress_resume(void)
{
    if (!pg.enabled)
        return;
    pg.paused = 0;
    g_mutex_unlock(&pg.lock);
}

void sl_progress_stop(void)
{
    if (!pg.enabled)
        return;
    g_mutex_lock(&pg.lock);
    pg.stop = 1;
    g_cond_signal(&pg.wake);
    g_mutex_unlock(&pg.lock);
    g_thread_join(pg.thread);
    clear();
    pg.enabled = 0;
}
