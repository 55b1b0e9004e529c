/* The attribute memo: a style reads a feature's attributes only, so
 * features with the same values (the fields the style reads: parcels of one
 * industry and status) fall in the same group of every layer and the same
 * legend class. The memo keeps each distinct combination's answers, so the
 * expressions are evaluated once per combination instead of once per
 * feature (a tenth of the reading time on the 100k-parcel benchmark). A
 * source whose values keep changing (a style that reads names) turns it
 * off. */
#include "render_internal.h"

#include <stdlib.h>
#include <string.h>

#define MEMO_SLOTS 1024 /* at most half of them used */

void pm_memo_init(pm_memo *m, size_t ncol)
{
    memset(m, 0, sizeof *m);
    m->ncol = ncol;
    m->key = calloc(MEMO_SLOTS, sizeof *m->key);
    m->out = malloc(MEMO_SLOTS * (m->ncol ? m->ncol : 1) * sizeof *m->out);
    if (!m->key || !m->out)
        pm_memo_free(m);
}

void pm_memo_free(pm_memo *m)
{
    for (size_t i = 0; m->key && i < MEMO_SLOTS; i++) {
        for (size_t j = 0; m->key[i].v && j < m->key[i].nv; j++)
            free(m->key[i].v[j].s);
        free(m->key[i].v);
    }
    free(m->key);
    free(m->out);
    memset(m, 0, sizeof *m);
    m->off = 1;
}

static uint64_t memo_hash(const pm_feature *f)
{
    uint64_t h = 1469598103934665603ull;
#define MIX(b) (h = (h ^ (uint64_t)(b)) * 1099511628211ull)
    for (size_t i = 0; i < f->nvalues; i++) {
        const pm_value *v = &f->values[i];
        MIX(v->is_null ? 0xff : (unsigned)v->type);
        if (v->is_null)
            continue;
        uint64_t d;
        memcpy(&d, &v->d, sizeof d);
        MIX((uint64_t)v->i);
        MIX(d);
        for (const char *c = v->s; c && *c; c++)
            MIX((unsigned char)*c);
    }
#undef MIX
    return h;
}

static int memo_same(const pm_memo_key *k, const pm_feature *f)
{
    if (k->nv != f->nvalues)
        return 0;
    for (size_t i = 0; i < f->nvalues; i++) {
        const pm_value *a = &k->v[i], *b = &f->values[i];
        if (a->is_null != b->is_null)
            return 0;
        if (a->is_null)
            continue;
        if (a->type != b->type || a->i != b->i || memcmp(&a->d, &b->d, sizeof a->d) != 0 ||
            (!a->s) != (!b->s) || (a->s && strcmp(a->s, b->s) != 0))
            return 0;
    }
    return 1;
}

int32_t *pm_memo_find(pm_memo *m, const pm_feature *f)
{
    if (m->off)
        return NULL;
    if (++m->seen == 4096 && m->missed > m->seen / 8) {
        pm_memo_free(m); /* values all different: not worth hashing */
        return NULL;
    }
    uint64_t h = memo_hash(f);
    size_t j = h & (MEMO_SLOTS - 1);
    for (; m->key[j].v; j = (j + 1) & (MEMO_SLOTS - 1))
        if (m->key[j].h == h && memo_same(&m->key[j], f))
            return m->out + j * m->ncol;
    m->missed++;
    if (2 * (m->used + 1) > MEMO_SLOTS)
        return NULL;
    pm_value *v = calloc(f->nvalues ? f->nvalues : 1, sizeof *v);
    if (!v)
        return NULL; /* (only a missed shortcut) */
    for (size_t i = 0; i < f->nvalues; i++) {
        v[i] = f->values[i];
        v[i].s = NULL;
        if (f->values[i].s && !(v[i].s = strdup(f->values[i].s))) {
            for (size_t k = 0; k < i; k++)
                free(v[k].s);
            free(v);
            return NULL;
        }
    }
    m->key[j] = (pm_memo_key){h, v, f->nvalues};
    m->used++;
    for (size_t c = 0; c < m->ncol; c++)
        m->out[j * m->ncol + c] = -2;
    return m->out + j * m->ncol;
}
