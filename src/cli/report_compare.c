/* Printing a comparison of two layouts (compare; report --against). */
#include "report.h"
#include "json_stream.h"

#include <math.h>
#include <stdlib.h>

/* ---- JSON ------------------------------------------------------------------ */

static json_object *str_or_null(const char *s)
{
    return s ? json_object_new_string(s) : NULL;
}

static json_object *layout_park_json(const pm_layout *l, size_t i)
{
    if (i == (size_t)-1 || !l || i >= l->nparks)
        return NULL;
    const pm_layout_park *p = &l->parks[i];
    json_object *o = json_object_new_object();
    json_object_object_add(o, "area_km2", cli_json_num(p->area_m2 / 1e6));
    json_object_object_add(o, "perimeter_m", cli_json_num(p->perimeter_m));
    json_object_object_add(o, "polsby_popper", cli_json_num(p->polsby_popper));
    json_object_object_add(o, "hull_ratio", cli_json_num(p->hull_ratio));
    json_object_object_add(o, "nearest_same_m", cli_json_num(p->nearest_same_m));
    json_object_object_add(o, "cluster", json_object_new_int(p->cluster));
    return o;
}

static json_object *park_elem(const void *ctx, size_t i)
{
    const pm_compare *c = ctx;
    const pm_compare_park *p = &c->parks[i];
    json_object *o = json_object_new_object(), *what = json_object_new_array();
    for (const char *w = p->what; *w;) {
        size_t len = strcspn(w, ",");
        json_object_array_add(what, json_object_new_string_len(w, (int)len));
        w += len + (w[len] == ',');
    }
    json_object_object_add(o, "key", json_object_new_string(p->key));
    json_object_object_add(o, "name", json_object_new_string(p->name));
    json_object_object_add(o, "status", json_object_new_string(pm_compare_status_name(p->status)));
    json_object_object_add(o, "what", what);
    json_object_object_add(o, "fid_before",
                           p->fid_before < 0 ? NULL : json_object_new_int64(p->fid_before));
    json_object_object_add(o, "fid_after",
                           p->fid_after < 0 ? NULL : json_object_new_int64(p->fid_after));
    json_object_object_add(o, "area_before_km2", cli_json_num(p->area_before_m2 / 1e6));
    json_object_object_add(o, "area_after_km2", cli_json_num(p->area_after_m2 / 1e6));
    json_object_object_add(o, "change_km2", cli_json_num(p->change_km2));
    json_object_object_add(o, "change_pct", cli_json_num(p->change_pct));
    json_object_object_add(o, "hausdorff_m", cli_json_num(p->hausdorff_m));
    json_object_object_add(o, "industry_before", str_or_null(p->industry_before));
    json_object_object_add(o, "industry_after", str_or_null(p->industry_after));
    json_object_object_add(o, "planned_before_km2", cli_json_num(p->planned_before_km2));
    json_object_object_add(o, "planned_after_km2", cli_json_num(p->planned_after_km2));
    json_object *ind = json_object_new_object();
    json_object_object_add(ind, "before", layout_park_json(c->before, p->before));
    json_object_object_add(ind, "after", layout_park_json(c->after, p->after));
    json_object_object_add(o, "indicators", ind);
    return o;
}

static const char *pair_kind(const pm_compare_pair *p)
{
    return !p->before ? "gained" : !p->after ? "lost" : "changed";
}

static json_object *pair_elem(const void *ctx, size_t i)
{
    const pm_compare_pair *p = &((const pm_compare_pair *)ctx)[i];
    json_object *o = json_object_new_object(), *parks = json_object_new_array(),
                *keys = json_object_new_array();
    json_object_array_add(parks, json_object_new_string(p->a_name));
    json_object_array_add(parks, json_object_new_string(p->b_name));
    json_object_array_add(keys, json_object_new_string(p->a_key));
    json_object_array_add(keys, json_object_new_string(p->b_key));
    json_object_object_add(o, "change", json_object_new_string(pair_kind(p)));
    json_object_object_add(o, "parks", parks);
    json_object_object_add(o, "keys", keys);
    json_object_object_add(o, "before", str_or_null(p->before));
    json_object_object_add(o, "after", str_or_null(p->after));
    return o;
}

static json_object *cluster_ref(const pm_compare_cluster_ref *r)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "id", json_object_new_int(r->id));
    json_object_object_add(o, "parks", cli_json_names(r->parks));
    return o;
}

static json_object *event_elem(const void *ctx, size_t i)
{
    const pm_compare_cluster_event *e = &((const pm_compare_cluster_event *)ctx)[i];
    json_object *o = json_object_new_object(), *parts = json_object_new_array();
    json_object_object_add(o, "kind", json_object_new_string(e->kind));
    json_object_object_add(o, "cluster", cluster_ref(&e->cluster));
    for (size_t k = 0; k < e->nparts; k++)
        json_object_array_add(parts, cluster_ref(&e->parts[k]));
    json_object_object_add(o, "parts", parts);
    return o;
}

static void side_json(const char *key, const char *db, int srid, const pm_compare_total *t,
                      const pm_layout *l)
{
    js_open(key);
    js_field("db", json_object_new_string(db));
    js_field("srid", json_object_new_int(srid));
    js_field("parks", json_object_new_int64((int64_t)t->parks));
    js_field("sum_km2", cli_json_num(t->sum_m2 / 1e6));
    js_field("union_km2", cli_json_num(t->union_m2 / 1e6));
    js_field("diff_km2", cli_json_num(t->diff_km2));
    js_field("diff_pct", cli_json_num(t->diff_pct));
    js_field("pass", json_object_new_boolean(t->pass));
    js_open("layout");
    js_field("cluster_m", cli_json_num(l->cluster_m));
    js_field("study_area_km2", cli_json_num(l->study_area_m2 / 1e6));
    js_field("study_area", str_or_null(l->study_area));
    js_field("colocation_m", cli_json_num(l->colocation_m));
    js_field("colocation", cli_json_num(l->colocation));
    js_field("colocation_expected", cli_json_num(l->colocation_expected));
    js_field("colocation_p", cli_json_num(l->colocation_p));
    js_array("groups", l->ngroups, cli_json_layout_group, l->groups);
    js_array("clusters", l->nclusters, cli_json_layout_cluster, l->clusters);
    js_close();
    js_close();
}

void report_compare_json(const pm_compare *c, const char *db_before, const char *db_after)
{
    js_open(NULL);
    js_field("layer", json_object_new_string(c->layer));
    js_field("key", json_object_new_string(c->key));
    js_field("target_km2", cli_json_num(c->target_km2));
    js_field("tolerance_pct", cli_json_num(c->tolerance_pct));
    js_field("hausdorff_tolerance_m", cli_json_num(c->hausdorff_tol_m));
    js_field("area_tolerance_m2", cli_json_num(c->area_tol_m2));
    js_open("counts");
    js_field("added", json_object_new_int64((int64_t)c->nadded));
    js_field("removed", json_object_new_int64((int64_t)c->nremoved));
    js_field("changed", json_object_new_int64((int64_t)c->nchanged));
    js_field("unchanged", json_object_new_int64((int64_t)c->nunchanged));
    js_close();
    side_json("before", db_before, c->srid_before, &c->total_before, c->before);
    side_json("after", db_after, c->srid_after, &c->total_after, c->after);
    js_field("pass", json_object_new_boolean(c->total_after.pass));
    js_array("parks", c->nparks, park_elem, c);
    js_array("adjacency", c->npairs, pair_elem, c->pairs);
    js_array("clusters", c->nevents, event_elem, c->events);
    js_close();
}

/* ---- CSV ------------------------------------------------------------------- */

static void csv_num(double v, const char *fmt)
{
    putchar(',');
    if (!isnan(v))
        printf(fmt, v);
}

void report_compare_csv(const pm_compare *c)
{
    printf("key,name,status,what,area_before_km2,area_after_km2,change_km2,change_pct,"
           "hausdorff_m\n");
    for (size_t i = 0; i < c->nparks; i++) {
        const pm_compare_park *p = &c->parks[i];
        cli_csv_field(stdout, p->key);
        putchar(',');
        cli_csv_field(stdout, p->name);
        printf(",%s,", pm_compare_status_name(p->status));
        cli_csv_field(stdout, p->what);
        csv_num(p->area_before_m2 / 1e6, "%.6f");
        csv_num(p->area_after_m2 / 1e6, "%.6f");
        csv_num(p->change_km2, "%.6f");
        csv_num(p->change_pct, "%.4f");
        csv_num(p->hausdorff_m, "%.3f");
        putchar('\n');
    }
}

/* ---- text ------------------------------------------------------------------ */

/* "%.*f" of v, or "-" for NAN. */
static const char *fmt(char *buf, size_t size, double v, int prec)
{
    if (isnan(v))
        snprintf(buf, size, "-");
    else
        snprintf(buf, size, "%.*f", prec, v);
    return buf;
}

static void totals_table(const pm_compare *c)
{
    const pm_compare_total *a = &c->total_before, *b = &c->total_after;
    printf("%-34s %16s %16s\n", "", "before", "after");
    printf("%-34s %16zu %16zu\n", "parks", a->parks, b->parks);
    printf("%-34s %16.4f %16.4f\n", "sum of parks (km2)", a->sum_m2 / 1e6, b->sum_m2 / 1e6);
    printf("%-34s %16.4f %16.4f\n", "union of parks (km2)", a->union_m2 / 1e6, b->union_m2 / 1e6);
    char label[64], da[32], db[32];
    snprintf(label, sizeof label, "against %.4g km2 +- %.2g %%", c->target_km2, c->tolerance_pct);
    snprintf(da, sizeof da, "%+.3f %% %s", a->diff_pct, a->pass ? "PASS" : "FAIL");
    snprintf(db, sizeof db, "%+.3f %% %s", b->diff_pct, b->pass ? "PASS" : "FAIL");
    printf("%-34s %16s %16s\n", label, da, db);
}

static void parks_table(const pm_compare *c)
{
    char name[256], w[128], x[32], y[32], z[32], h[32], pct[32];
    printf("\nparks: %zu added, %zu removed, %zu changed, %zu unchanged (matched by %s)\n",
           c->nadded, c->nremoved, c->nchanged, c->nunchanged, c->key);
    if (c->nadded + c->nremoved + c->nchanged == 0)
        return;
    printf("  %-9s %-40s %-22s %10s %10s %10s %8s %11s\n", "status", "park", "what", "before km2",
           "after km2", "change km2", "change %", "Hausdorff m");
    for (size_t i = 0; i < c->nparks; i++) {
        const pm_compare_park *p = &c->parks[i];
        if (p->status == PM_CMP_UNCHANGED)
            continue;
        printf("  %-9s %-40.40s %-22.22s %10s %10s %10s %8s %11s\n",
               pm_compare_status_name(p->status), cli_text(p->name, name, sizeof name),
               cli_text(p->what, w, sizeof w), fmt(x, sizeof x, p->area_before_m2 / 1e6, 4),
               fmt(y, sizeof y, p->area_after_m2 / 1e6, 4), fmt(z, sizeof z, p->change_km2, 4),
               fmt(pct, sizeof pct, p->change_pct, 2), fmt(h, sizeof h, p->hausdorff_m, 2));
    }
}

static void adjacency_table(const pm_compare *c)
{
    char an[256], bn[256];
    printf("\nadjacency: %zu pair%s changed\n", c->npairs, c->npairs == 1 ? "" : "s");
    for (size_t i = 0; i < c->npairs; i++) {
        const pm_compare_pair *p = &c->pairs[i];
        printf("  %-8s %s / %s (%s -> %s)\n", pair_kind(p), cli_text(p->a_name, an, sizeof an),
               cli_text(p->b_name, bn, sizeof bn), p->before ? p->before : "none",
               p->after ? p->after : "none");
    }
}

static void cluster_ref_text(const char *side, const pm_compare_cluster_ref *r)
{
    char parks[1024];
    printf("%s #%d (%s)", side, r->id, cli_text(r->parks, parks, sizeof parks));
}

static size_t nall(const pm_layout *l)
{
    size_t n = 0;
    for (size_t i = 0; i < l->nclusters; i++)
        n += strcmp(l->clusters[i].scope, "all") == 0;
    return n;
}

static void clusters_table(const pm_compare *c)
{
    printf("\nclusters (parks within %.0f m of each other, scope all): %zu -> %zu, %zu event%s\n",
           c->after->cluster_m, nall(c->before), nall(c->after), c->nevents,
           c->nevents == 1 ? "" : "s");
    for (size_t i = 0; i < c->nevents; i++) {
        const pm_compare_cluster_event *e = &c->events[i];
        int merged = e->kind[0] == 'm';
        printf("  %-7s ", e->kind);
        cluster_ref_text(merged ? "after" : "before", &e->cluster);
        printf(merged ? " gathers\n" : " splits into\n");
        for (size_t k = 0; k < e->nparts; k++) {
            printf("            ");
            cluster_ref_text(merged ? "before" : "after", &e->parts[k]);
            putchar('\n');
        }
    }
}

/* "before -> after" of one figure, "-" where a side lacks it. */
static const char *pair_text(char *buf, size_t size, double a, double b, int prec)
{
    char x[32], y[32];
    snprintf(buf, size, "%s -> %s", fmt(x, sizeof x, a, prec), fmt(y, sizeof y, b, prec));
    return buf;
}

static void indicators_table(const pm_compare *c)
{
    char name[256], s1[80], s2[80], s3[80], s4[80];
    printf("\nindicators (before -> after):\n");
    printf("  %-40s %20s %16s %16s %22s %10s\n", "park", "area km2", "compactness", "hull ratio",
           "nearest same m", "cluster");
    for (size_t i = 0; i < c->nparks; i++) {
        const pm_compare_park *p = &c->parks[i];
        const pm_layout_park *a = p->before != (size_t)-1 ? &c->before->parks[p->before] : NULL;
        const pm_layout_park *b = p->after != (size_t)-1 ? &c->after->parks[p->after] : NULL;
        char ca[16] = "-", cb[16] = "-", cl[40];
        if (a)
            snprintf(ca, sizeof ca, "%d", a->cluster);
        if (b)
            snprintf(cb, sizeof cb, "%d", b->cluster);
        snprintf(cl, sizeof cl, "%s -> %s", ca, cb);
        printf(
            "  %-40.40s %20s %16s %16s %22s %10s\n", cli_text(p->name, name, sizeof name),
            pair_text(s1, sizeof s1, a ? a->area_m2 / 1e6 : NAN, b ? b->area_m2 / 1e6 : NAN, 3),
            pair_text(s2, sizeof s2, a ? a->polsby_popper : NAN, b ? b->polsby_popper : NAN, 3),
            pair_text(s3, sizeof s3, a ? a->hull_ratio : NAN, b ? b->hull_ratio : NAN, 3),
            pair_text(s4, sizeof s4, a ? a->nearest_same_m : NAN, b ? b->nearest_same_m : NAN, 0),
            cl);
    }
    const pm_layout *la = c->before, *lb = c->after;
    printf("  %-40s %20s\n", "study area km2",
           pair_text(s1, sizeof s1, la->study_area_m2 / 1e6, lb->study_area_m2 / 1e6, 3));
    printf("  %-40s %20s\n", "co-location (all parks)",
           pair_text(s1, sizeof s1, la->colocation, lb->colocation, 3));
    /* Per group, by the later layout's groups, then those only the earlier has. */
    for (int pass = 0; pass < 2; pass++) {
        const pm_layout *l = pass ? la : lb, *o = pass ? lb : la;
        for (size_t i = 0; i < l->ngroups; i++) {
            const pm_layout_group *g = &l->groups[i], *h = NULL;
            for (size_t k = 0; k < o->ngroups && !h; k++)
                if (strcmp(o->groups[k].group, g->group) == 0)
                    h = &o->groups[k];
            if (pass && h)
                continue;
            const pm_layout_group *gb = pass ? h : g, *ga = pass ? g : h;
            char label[300];
            /* cli_text returns the name itself when nothing needs escaping */
            const char *gname = cli_text(g->group, name, sizeof name);
            snprintf(label, sizeof label, "%s: Clark-Evans R", gname);
            printf("  %-40.40s %20s\n", label,
                   pair_text(s1, sizeof s1, ga ? ga->clark_evans_r : NAN,
                             gb ? gb->clark_evans_r : NAN, 3));
            snprintf(label, sizeof label, "%s: co-location", gname);
            printf(
                "  %-40.40s %20s\n", label,
                pair_text(s1, sizeof s1, ga ? ga->colocation : NAN, gb ? gb->colocation : NAN, 3));
        }
    }
}

void report_compare_table(const pm_compare *c)
{
    totals_table(c);
    parks_table(c);
    adjacency_table(c);
    clusters_table(c);
    indicators_table(c);
    printf("\ncompare: %s\n", c->nadded + c->nremoved + c->nchanged + c->npairs + c->nevents
                                  ? "CHANGES"
                                  : "NO CHANGE");
}
