/* Which attributes a style reads: lets the renderer ask the store for those
 * columns only (on 100k parcels, reading every column cost a third of the
 * render). */
#include "style_internal.h"

#include <stdlib.h>
#include <string.h>

static int add_name(char ***names, size_t *n, const char *name)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*names)[i], name) == 0)
            return 0;
    char **nn = realloc(*names, (*n + 1) * sizeof(char *));
    if (!nn)
        return -1;
    *names = nn;
    if (!(nn[*n] = strdup(name)))
        return -1;
    (*n)++;
    return 0;
}

static int walk(const pm_expr *e, char ***names, size_t *n)
{
    if (!e)
        return 0;
    if ((e->op == PM_X_GET || e->op == PM_X_HAS) && e->field && add_name(names, n, e->field))
        return -1;
    for (size_t i = 0; i < e->nargs; i++)
        if (walk(e->args[i], names, n))
            return -1;
    return 0;
}

int pm_style_source_fields(char ***out, size_t *out_n, pm_ctx *ctx, const pm_style *s,
                           const char *source)
{
    char **names = NULL;
    size_t n = 0;
    int rc = 0;
    for (size_t i = 0; i < s->nlayers && !rc; i++) {
        const pm_style_layer *l = &s->layers[i];
        if (strcmp(l->source, source) != 0)
            continue;
        rc = walk(l->filter, &names, &n);
        for (int p = 0; p < PM_P_COUNT && !rc; p++)
            rc = walk(l->prop[p], &names, &n);
    }
    if (rc) {
        for (size_t i = 0; i < n; i++)
            free(names[i]);
        free(names);
        return pm_err(ctx, PM_ENOMEM, "out of memory", source, "style fields");
    }
    *out = names;
    *out_n = n;
    return 0;
}
