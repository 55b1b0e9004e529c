/* Schemas, values and features: plain data shared by every module. */
#include "parkmap/feature.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int pm_schema_add(pm_schema *s, pm_ctx *ctx, const char *name, pm_field_type type)
{
    pm_field *f = realloc(s->fields, (s->nfields + 1) * sizeof(*f));
    if (!f)
        return pm_err(ctx, PM_ENOMEM, "out of memory", "schema", "field %s", name);
    s->fields = f;
    f[s->nfields].name = strdup(name);
    if (!f[s->nfields].name)
        return pm_err(ctx, PM_ENOMEM, "out of memory", "schema", "field %s", name);
    f[s->nfields].type = type;
    s->nfields++;
    return 0;
}

int pm_schema_find(const pm_schema *s, const char *name)
{
    for (size_t i = 0; s && i < s->nfields; i++)
        if (strcmp(s->fields[i].name, name) == 0)
            return (int)i;
    return -1;
}

void pm_schema_clear(pm_schema *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nfields; i++)
        free(s->fields[i].name);
    free(s->fields);
    s->fields = NULL;
    s->nfields = 0;
}

void pm_feature_clear(pm_feature *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->nvalues; i++)
        free(f->values[i].s);
    free(f->values);
    pm_geom_free(f->geom);
    memset(f, 0, sizeof(*f));
}

int pm_value_as_double(const pm_value *v, double *out)
{
    if (!v || v->is_null)
        return 0;
    switch (v->type) {
    case PM_FIELD_INTEGER:
        *out = (double)v->i;
        return 1;
    case PM_FIELD_REAL:
        *out = v->d;
        return 1;
    case PM_FIELD_TEXT: {
        if (!v->s || !*v->s)
            return 0;
        char *end;
        errno = 0;
        double d = strtod(v->s, &end);
        if (errno || *end)
            return 0;
        *out = d;
        return 1;
    }
    }
    return 0;
}
