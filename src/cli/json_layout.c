/* JSON of layout results, shared by layout --json and compare --json (whose
 * before and after sides are two layouts): one shape for the same thing. */
#include "report.h"

#include <string.h>

json_object *cli_json_names(const char *joined)
{
    json_object *names = json_object_new_array();
    while (joined && *joined) {
        const char *sep = strstr(joined, " | ");
        size_t len = sep ? (size_t)(sep - joined) : strlen(joined);
        json_object_array_add(names, json_object_new_string_len(joined, (int)len));
        joined = sep ? sep + 3 : NULL;
    }
    return names;
}

json_object *cli_json_layout_cluster(const void *clusters, size_t i)
{
    const pm_cluster *c = &((const pm_cluster *)clusters)[i];
    json_object *o = json_object_new_object();
    json_object_object_add(o, "id", json_object_new_int(c->id));
    json_object_object_add(o, "scope", json_object_new_string(c->scope));
    json_object_object_add(o, "park_count", json_object_new_int64((int64_t)c->nparks));
    json_object_object_add(o, "parks", json_object_new_string(c->parks));
    json_object_object_add(o, "area_km2", cli_json_num(c->area_m2 / 1e6));
    json_object_object_add(o, "enterprises", cli_json_num(c->enterprises));
    json_object_object_add(o, "mix_entropy", cli_json_num(c->mix_entropy));
    return o;
}

json_object *cli_json_layout_group(const void *groups, size_t i)
{
    const pm_layout_group *g = &((const pm_layout_group *)groups)[i];
    json_object *o = json_object_new_object();
    json_object_object_add(o, "group", json_object_new_string(g->group ? g->group : ""));
    json_object_object_add(o, "parks", json_object_new_int64((int64_t)g->nparks));
    json_object_object_add(o, "mean_nn_m", cli_json_num(g->mean_nn_m));
    json_object_object_add(o, "expected_nn_m", cli_json_num(g->expected_nn_m));
    json_object_object_add(o, "clark_evans_r", cli_json_num(g->clark_evans_r));
    json_object_object_add(o, "clark_evans_z", cli_json_num(g->clark_evans_z));
    json_object_object_add(o, "neighbour_links",
                           json_object_new_int64((int64_t)g->neighbour_links));
    json_object_object_add(o, "colocation", cli_json_num(g->colocation));
    json_object_object_add(o, "colocation_expected", cli_json_num(g->colocation_expected));
    json_object_object_add(o, "colocation_p", cli_json_num(g->colocation_p));
    return o;
}
