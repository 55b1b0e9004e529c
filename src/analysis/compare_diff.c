/* Compare: adjacency gained and lost, clusters merged and split, as seen
 * through the parks' keys. */
#include "compare_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- adjacency ------------------------------------------------------------ */

typedef struct {
    const char *k1, *k2; /* k1 < k2 */
    const char *n1, *n2;
    const char *rel;
} adj_key;

static int by_pair(const void *x, const void *y)
{
    const adj_key *a = x, *b = y;
    int c = strcmp(a->k1, b->k1);
    return c ? c : strcmp(a->k2, b->k2);
}

/* The pairs of one layout by key pair. */
static adj_key *pair_keys(const pm_adjacency *adj, const cmp_side *s, size_t *out_n)
{
    adj_key *k = malloc((adj->npairs ? adj->npairs : 1) * sizeof *k);
    size_t n = 0;
    if (!k)
        return NULL;
    for (size_t i = 0; i < adj->npairs; i++) {
        size_t x = cmp_side_fid(s, adj->pairs[i].a_fid), y = cmp_side_fid(s, adj->pairs[i].b_fid);
        if (x == (size_t)-1 || y == (size_t)-1)
            continue;
        const cmp_park *p = &s->p[x], *q = &s->p[y];
        if (strcmp(p->key, q->key) > 0) {
            const cmp_park *t = p;
            p = q;
            q = t;
        }
        k[n++] =
            (adj_key){p->key, q->key, p->name, q->name, pm_relation_name(adj->pairs[i].relation)};
    }
    qsort(k, n, sizeof *k, by_pair);
    *out_n = n;
    return k;
}

static int add_pair(pm_compare *c, const adj_key *k, const char *before, const char *after)
{
    pm_compare_pair *n = realloc(c->pairs, (c->npairs + 1) * sizeof *n);
    if (!n)
        return -1;
    c->pairs = n;
    pm_compare_pair *p = &n[c->npairs++];
    p->before = before;
    p->after = after;
    p->a_key = strdup(k->k1);
    p->b_key = strdup(k->k2);
    p->a_name = strdup(k->n1);
    p->b_name = strdup(k->n2);
    return p->a_key && p->b_key && p->a_name && p->b_name ? 0 : -1;
}

int cmp_adjacency_diff(pm_compare *c, pm_ctx *ctx, const cmp_side *a, const cmp_side *b)
{
    size_t na = 0, nb = 0, i = 0, j = 0;
    adj_key *ka = pair_keys(c->adjacency_before, a, &na);
    adj_key *kb = pair_keys(c->adjacency_after, b, &nb);
    int bad = !ka || !kb;
    /* A merge of the two sorted lists: lost, gained, or a relation that changed. */
    while (!bad && (i < na || j < nb)) {
        int d = i == na ? 1 : j == nb ? -1 : by_pair(&ka[i], &kb[j]);
        if (d < 0) {
            bad = add_pair(c, &ka[i], ka[i].rel, NULL);
            i++;
        } else if (d > 0) {
            bad = add_pair(c, &kb[j], NULL, kb[j].rel);
            j++;
        } else {
            if (strcmp(ka[i].rel, kb[j].rel) != 0)
                bad = add_pair(c, &kb[j], ka[i].rel, kb[j].rel);
            i++;
            j++;
        }
    }
    free(ka);
    free(kb);
    return bad ? pm_err(ctx, PM_ENOMEM, "out of memory", "compare", "adjacency") : 0;
}

size_t cmp_layout_index(const pm_layout *l, int64_t fid)
{
    size_t lo = 0, hi = l->nparks;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (l->parks[mid].fid < fid)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < l->nparks && l->parks[lo].fid == fid ? lo : (size_t)-1;
}

/* ---- clusters ------------------------------------------------------------- */

typedef struct {
    int ca, cb; /* the park's scope-"all" cluster in A and in B */
    size_t park;
} cl_key;

static int by_a(const void *x, const void *y)
{
    const cl_key *p = x, *q = y;
    if (p->ca != q->ca)
        return p->ca < q->ca ? -1 : 1;
    if (p->cb != q->cb)
        return p->cb < q->cb ? -1 : 1;
    return (p->park > q->park) - (p->park < q->park);
}

static int by_b(const void *x, const void *y)
{
    const cl_key *p = x, *q = y;
    if (p->cb != q->cb)
        return p->cb < q->cb ? -1 : 1;
    if (p->ca != q->ca)
        return p->ca < q->ca ? -1 : 1;
    return (p->park > q->park) - (p->park < q->park);
}

/* The cluster id (of side a when in_a) and its parks: every entry of
 * k[0..n) (sorted with that side's id first) carrying the id. */
static int make_ref(pm_compare_cluster_ref *r, const pm_compare *c, const cl_key *k, size_t n,
                    int in_a, int id)
{
    size_t len = 1;
    r->id = id;
    for (size_t i = 0; i < n; i++)
        if ((in_a ? k[i].ca : k[i].cb) == id)
            len += strlen(c->parks[k[i].park].name) + 3;
    if (!(r->parks = malloc(len)))
        return -1;
    r->parks[0] = '\0';
    for (size_t i = 0, used = 0; i < n; i++)
        if ((in_a ? k[i].ca : k[i].cb) == id)
            used += (size_t)snprintf(r->parks + used, len - used, "%s%s", used ? " | " : "",
                                     c->parks[k[i].park].name);
    return 0;
}

/* The events where one cluster of one side ("one", sorted by it in k1)
 * holds parks of several clusters of the other (whose full lists are in
 * k2, sorted by the other's id). */
static int find_events(pm_compare *c, const cl_key *k1, const cl_key *k2, size_t n, int one_is_a,
                       const char *kind)
{
    for (size_t s = 0; s < n;) {
        int id = one_is_a ? k1[s].ca : k1[s].cb;
        size_t e = s, nother = 0;
        while (e < n && (one_is_a ? k1[e].ca : k1[e].cb) == id) {
            int o = one_is_a ? k1[e].cb : k1[e].ca;
            nother += e == s || o != (one_is_a ? k1[e - 1].cb : k1[e - 1].ca);
            e++;
        }
        if (nother > 1) {
            pm_compare_cluster_event *ne = realloc(c->events, (c->nevents + 1) * sizeof *ne);
            if (!ne)
                return -1;
            c->events = ne;
            pm_compare_cluster_event *ev = &ne[c->nevents++];
            memset(ev, 0, sizeof *ev);
            ev->kind = kind;
            if (!(ev->parts = calloc(nother, sizeof *ev->parts)) ||
                make_ref(&ev->cluster, c, k1 + s, e - s, one_is_a, id))
                return -1;
            for (size_t i = s; i < e; i++) {
                int o = one_is_a ? k1[i].cb : k1[i].ca;
                if (i > s && o == (one_is_a ? k1[i - 1].cb : k1[i - 1].ca))
                    continue;
                if (make_ref(&ev->parts[ev->nparts++], c, k2, n, !one_is_a, o))
                    return -1;
            }
        }
        s = e;
    }
    return 0;
}

int cmp_cluster_diff(pm_compare *c, pm_ctx *ctx, const cmp_side *a, const cmp_side *b)
{
    cl_key *ka = malloc((a->n ? a->n : 1) * sizeof *ka), *kb = NULL;
    size_t n = 0;
    int bad = !ka;
    for (size_t i = 0; !bad && i < a->n; i++) {
        const cmp_park *pa = &a->p[i];
        if (pa->match == (size_t)-1)
            continue;
        size_t la = cmp_layout_index(c->before, pa->fid),
               lb = cmp_layout_index(c->after, b->p[pa->match].fid);
        if (la == (size_t)-1 || lb == (size_t)-1)
            continue;
        ka[n++] = (cl_key){c->before->parks[la].cluster, c->after->parks[lb].cluster, pa->park};
    }
    if (!bad && !(kb = malloc((n ? n : 1) * sizeof *kb)))
        bad = 1;
    if (!bad) {
        memcpy(kb, ka, n * sizeof *kb);
        qsort(ka, n, sizeof *ka, by_a);
        qsort(kb, n, sizeof *kb, by_b);
        bad = find_events(c, kb, ka, n, 0, "merged") || find_events(c, ka, kb, n, 1, "split");
    }
    free(ka);
    free(kb);
    return bad ? pm_err(ctx, PM_ENOMEM, "out of memory", "compare", "clusters") : 0;
}
