/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Standalone driver for the fuzz harnesses, for builds without libFuzzer: runs
 * LLVMFuzzerTestOneInput on each file named (directories: on each file inside, sorted), or on
 * standard input when no file is named (AFL++: afl-fuzz -i seeds -o out -- ./fuzz_parse_run).
 * Arguments starting with '-' are libFuzzer options and are ignored, so the same command line
 * serves both builds. Exit 0 when every input ran; a crash aborts as it would under libFuzzer. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static unsigned long g_runs;

/* Read fp whole and run the harness on an exactly sized copy, as libFuzzer gives, so that
 * over-reads are caught. */
static int run_stream(FILE *fp, const char *name)
{
    size_t cap = 65536, n = 0, got;
    uint8_t *buf = malloc(cap);
    while (buf != NULL && (got = fread(buf + n, 1, cap - n, fp)) > 0) {
        n += got;
        if (n == cap) {
            uint8_t *nb = realloc(buf, cap *= 2);
            if (nb == NULL)
                free(buf);
            buf = nb;
        }
    }
    if (buf == NULL || ferror(fp)) {
        fprintf(stderr, "%s: cannot read\n", name);
        free(buf);
        return -1;
    }
    uint8_t *exact = malloc(n ? n : 1);
    if (exact == NULL) {
        free(buf);
        return -1;
    }
    memcpy(exact, buf, n);
    free(buf);
    LLVMFuzzerTestOneInput(exact, n);
    free(exact);
    g_runs++;
    return 0;
}

static int run_file(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (fp == NULL) {
        fprintf(stderr, "%s: cannot open\n", path);
        return -1;
    }
    int rc = run_stream(fp, path);
    fclose(fp);
    return rc;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_path(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "%s: not found\n", path);
        return -1;
    }
    if (!S_ISDIR(st.st_mode))
        return run_file(path);
    DIR *d = opendir(path);
    if (d == NULL)
        return -1;
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    int rc = 0;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        if (n == cap) {
            char **nn = realloc(names, (cap = cap ? cap * 2 : 64) * sizeof *names);
            if (nn == NULL) {
                rc = -1;
                break;
            }
            names = nn;
        }
        size_t l = strlen(path) + strlen(de->d_name) + 2;
        names[n] = malloc(l);
        if (names[n] == NULL) {
            rc = -1;
            break;
        }
        snprintf(names[n++], l, "%s/%s", path, de->d_name);
    }
    closedir(d);
    if (n > 1)
        qsort(names, n, sizeof *names, cmp_names);
    for (size_t i = 0; i < n; i++) {
        if (rc == 0 && run_path(names[i]) != 0)
            rc = -1;
        free(names[i]);
    }
    free(names);
    return rc;
}

int main(int argc, char **argv)
{
    int rc = 0, files = 0;
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] == '-')
            continue; /* a libFuzzer option */
        files++;
        if (run_path(argv[i]) != 0)
            rc = 1;
    }
    if (files == 0 && run_stream(stdin, "<stdin>") != 0)
        rc = 1;
    fprintf(stderr, "%s: %lu inputs run%s\n", argv[0], g_runs, rc ? ", some could not be read" : "");
    return rc;
}
