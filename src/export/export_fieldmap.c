/* Attribute names as a format stores them: Shapefile's 10-byte DBF names,
 * mapped deterministically. */
#include "export_plan.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *pm_export_field_name(const pm_export_fieldmap *m, const char *name)
{
    for (size_t i = 0; m && i < m->n; i++)
        if (strcmp(m->from[i], name) == 0)
            return m->to[i];
    return name;
}

void pm_export_fieldmap_clear(pm_export_fieldmap *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n; i++) {
        free(m->from[i]);
        free(m->to[i]);
    }
    free(m->from);
    free(m->to);
    memset(m, 0, sizeof(*m));
}

/* Cut to at most max bytes without splitting a UTF-8 sequence. */
static size_t utf8_cut(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n <= max)
        return n;
    n = max;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return n;
}

static int name_taken(const pm_export_fieldmap *m, const char *name)
{
    for (size_t i = 0; i < m->n; i++)
        if (strcasecmp(m->to[i], name) == 0)
            return 1;
    return 0;
}

int pm_export_fieldmap_dbf(pm_export_fieldmap *out, pm_ctx *ctx, const char *const *names, size_t n)
{
    memset(out, 0, sizeof(*out));
    out->from = calloc(n ? n : 1, sizeof(char *));
    out->to = calloc(n ? n : 1, sizeof(char *));
    if (!out->from || !out->to)
        goto oom;
    for (size_t i = 0; i < n; i++) {
        char buf[32];
        size_t k = utf8_cut(names[i], 10);
        memcpy(buf, names[i], k);
        buf[k] = '\0';
        /* DBF names are compared without case; a clash gets the shortest
         * free numeric suffix, in field order, so the same schema always
         * maps the same way. */
        for (int suffix = 2; name_taken(out, buf) && suffix < 100000; suffix++) {
            char num[16];
            int nl = snprintf(num, sizeof num, "_%d", suffix);
            k = utf8_cut(names[i], 10 - (size_t)nl);
            memcpy(buf, names[i], k);
            memcpy(buf + k, num, (size_t)nl + 1);
        }
        if (!(out->from[i] = strdup(names[i])) || !(out->to[i] = strdup(buf))) {
            free(out->from[i]);
            goto oom;
        }
        out->n = i + 1;
    }
    return 0;
oom:
    pm_export_fieldmap_clear(out);
    return pm_err(ctx, PM_ENOMEM, "out of memory", "export", "field names");
}
