/* OGC geometry types to pm_geom_kind (store_kind.h). */
#include "store_kind.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* OGC simple-feature type codes (ISO 19125) and names, of the types a
 * parkmap layer may hold. */
static const struct {
    int code;
    const char *name;
    pm_geom_kind kind;
} ogc_kinds[] = {
    {2, "LINESTRING", PM_GEOM_LINE},
    {3, "POLYGON", PM_GEOM_POLYGON},
    {5, "MULTILINESTRING", PM_GEOM_LINE},
    {6, "MULTIPOLYGON", PM_GEOM_POLYGON},
};

/* Does name (any case) equal want, maybe followed by Z, M or ZM? */
static int name_is(const char *name, const char *want)
{
    size_t n = strlen(want);
    if (strncasecmp(name, want, n))
        return 0;
    const char *s = name + n;
    return !*s || !strcasecmp(s, "Z") || !strcasecmp(s, "M") || !strcasecmp(s, "ZM");
}

int pm_store_ogc_kind(pm_geom_kind *out, pm_ctx *ctx, const char *layer, const char *type)
{
    const char *t = type ? type : "";
    int numeric = isdigit((unsigned char)t[0]) != 0;
    long code = -1;
    if (numeric) {
        char *end = NULL;
        code = strtol(t, &end, 10);
        if (*end || code < 0)
            code = -1;
        else
            code %= 1000;
    }
    for (size_t i = 0; i < sizeof ogc_kinds / sizeof *ogc_kinds; i++)
        if (numeric ? code == ogc_kinds[i].code : name_is(t, ogc_kinds[i].name)) {
            *out = ogc_kinds[i].kind;
            return 0;
        }
    return pm_err(ctx, PM_EIO, "unsupported geometry type", layer,
                  "%s%s; parkmap layers hold polygons or lines", numeric ? "OGC type " : "",
                  *t ? t : "none");
}
