/* Field names a trip through another format changed, given back on import
 * (docs/exports.md, "Round trips"): KML's Name and Description, and the
 * Shapefile's 10-byte names through the NAME.fields.csv parkmap's export
 * writes beside it. */
#include "load_internal.h"

#include <gdal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void pm_load_renames_clear(pm_load_renames *m)
{
    for (size_t i = 0; i < m->n; i++) {
        free(m->from[i]);
        free(m->to[i]);
    }
    free(m->from);
    free(m->to);
    memset(m, 0, sizeof *m);
}

static int add(pm_load_renames *m, const char *from, const char *to)
{
    char **f = realloc(m->from, (m->n + 1) * sizeof *f);
    if (f)
        m->from = f;
    char **t = realloc(m->to, (m->n + 1) * sizeof *t);
    if (t)
        m->to = t;
    if (!f || !t || !(m->from[m->n] = strdup(from)))
        return -1;
    if (!(m->to[m->n] = strdup(to))) {
        free(m->from[m->n]);
        return -1;
    }
    m->n++;
    return 0;
}

/* One CSV cell as export_shp.c writes it (quoted when it holds a comma,
 * quote or line break; quotes doubled) from *p into buf; 0, or -1 when
 * the line is not such a cell. */
static int cell(const char **p, char *buf, size_t size)
{
    const char *s = *p;
    size_t n = 0;
    if (*s == '"') {
        for (s++;; s++) {
            if (!*s)
                return -1;
            if (*s == '"') {
                if (s[1] != '"')
                    break;
                s++;
            }
            if (n + 1 >= size)
                return -1;
            buf[n++] = *s;
        }
        s++;
    } else {
        for (; *s && *s != ',' && *s != '\n' && *s != '\r'; s++) {
            if (n + 1 >= size)
                return -1;
            buf[n++] = *s;
        }
    }
    buf[n] = '\0';
    *p = s;
    return 0;
}

/* NAME.fields.csv (or NAME.FIELDS.CSV beside NAME.SHP): short -> long. A
 * file that is not in the export's format is ignored with a warning, since
 * the Shapefile itself is fine. */
static int read_fields_csv(pm_load_renames *m, pm_ctx *ctx, const char *shp)
{
    size_t len = strlen(shp);
    if (len < 4 || strcasecmp(shp + len - 4, ".shp") != 0)
        return 0;
    char *path = malloc(len + 16);
    if (!path)
        return -1;
    int upper = strcmp(shp + len - 4, ".SHP") == 0;
    snprintf(path, len + 16, "%.*s%s", (int)(len - 4), shp, upper ? ".FIELDS.CSV" : ".fields.csv");
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        free(path);
        return 0;
    }
    /* A whole file of field names is small; a huge one is not ours. */
    char *text = malloc(1 << 20);
    size_t got = text ? fread(text, 1, (1 << 20) - 1, fp) : 0;
    int big = text && !feof(fp);
    fclose(fp);
    if (!text) {
        free(path);
        return -1;
    }
    text[got] = '\0';
    int rc = 0, bad = big || strncmp(text, "field,shapefile_field\n", 22) != 0;
    const char *p = text + (bad ? 0 : 22);
    char from[1024], to[64];
    while (!bad && *p) {
        if (cell(&p, to, sizeof to) || *p++ != ',' || cell(&p, from, sizeof from) || *p++ != '\n') {
            bad = 1;
            break;
        }
        if (strcmp(from, to) != 0 && add(m, from, to)) {
            rc = -1;
            break;
        }
    }
    if (bad && !rc) {
        pm_load_renames_clear(m);
        pm_warn(ctx, "%s: not a field map as parkmap's export writes it; Shapefile names kept",
                path);
    }
    free(path);
    free(text);
    return rc;
}

int pm_load_renames_read(pm_load_renames *out, pm_ctx *ctx, const char *path, GDALDatasetH ds)
{
    memset(out, 0, sizeof *out);
    GDALDriverH drv = GDALGetDatasetDriver(ds);
    const char *name = drv ? GDALGetDriverShortName(drv) : "";
    int rc = 0;
    if (strcmp(name, "KML") == 0 || strcmp(name, "LIBKML") == 0) {
        /* GDAL's KML drivers read a placemark's <name> and <description>
         * as Name and Description, whatever field they were written from. */
        rc = add(out, "Name", "name") || add(out, "Description", "description") ? -1 : 0;
    } else if (strcmp(name, "ESRI Shapefile") == 0) {
        rc = read_fields_csv(out, ctx, path);
    }
    if (rc) {
        pm_load_renames_clear(out);
        return pm_err(ctx, PM_ENOMEM, "out of memory", path, "field names");
    }
    return 0;
}

const char *pm_load_renamed(const pm_load_renames *m, const char *name)
{
    for (size_t i = 0; i < m->n; i++)
        if (strcmp(m->from[i], name) == 0)
            return m->to[i];
    return name;
}
