/* Printing analysis results; shared by check, adjacency and build. */
#ifndef PM_CLI_REPORT_H
#define PM_CLI_REPORT_H
#include "cli.h"
#include "json_stream.h"
#include <string.h>

void report_check_table(const pm_check_report *r);
/* Open the top-level JSON object of a check and print every key; the caller
 * may add fields (js_field) and must js_close(). */
void report_check_json_open(const pm_check_report *r);
void report_check_csv(const pm_check_report *r);
void report_adjacency_table(const pm_adjacency *a);
void report_adjacency_csv(const pm_adjacency *a);
/* Print an adjacency object (under key, or top-level when key is NULL). */
void report_adjacency_json(const char *key, const pm_adjacency *a);
/* A comparison of two layouts (compare, report --against): the readable
 * summary, one JSON document (db_* name the databases), one CSV row per park. */
void report_compare_table(const pm_compare *c);
void report_compare_json(const pm_compare *c, const char *db_before, const char *db_after);
void report_compare_csv(const pm_compare *c);

/* JSON of layout results (json_layout.c), one shape wherever they appear. */
/* "A | B" joined names back into a JSON list. */
json_object *cli_json_names(const char *joined);
/* js_array element i of a pm_cluster array / a pm_layout_group array. */
json_object *cli_json_layout_cluster(const void *clusters, size_t i);
json_object *cli_json_layout_group(const void *groups, size_t i);
#endif
