/* The output formats, by extension. A format is one file, export_<ext>.c,
 * defining a pm_export_format, plus its line in the list below. */
#include "export_internal.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static const pm_export_format *const formats[] = {
    &pm_export_gpkg, &pm_export_shp, &pm_export_geojson,
    &pm_export_kml,  &pm_export_fgb, &pm_export_csv,
};

const char *pm_export_ext_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(slash ? slash + 1 : path, '.');
    return dot && dot[1] ? dot : NULL;
}

const pm_export_format *pm_export_find_format(const char *path)
{
    const char *e = pm_export_ext_of(path);
    for (size_t i = 0; e && i < sizeof formats / sizeof *formats; i++)
        if (strcasecmp(e, formats[i]->ext) == 0)
            return formats[i];
    return NULL;
}

const char *pm_export_supported(char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof formats / sizeof *formats && len < size; i++)
        len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? " " : "", formats[i]->ext);
    return buf;
}
