/* The rules for a layer's name: one place, so that import, clean --to, the
 * derived layers and every --layer agree on them. */
#include "parkmap/store.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#define STR_(x) #x
#define STR(x) STR_(x)

/* Tables SQLite, SpatiaLite or parkmap keep for themselves: replacing one
 * (--overwrite) would wreck the database, and SpatiaLite's own refusal
 * comes as a raw "DropTable exception". Compared without case, as SQLite
 * compares table names. */
static const char *const system_tables[] = {"parkmap_meta",
                                            "geometry_columns",
                                            "geometry_columns_auth",
                                            "geometry_columns_statistics",
                                            "geometry_columns_field_infos",
                                            "geometry_columns_time",
                                            "spatial_ref_sys",
                                            "spatial_ref_sys_aux",
                                            "spatial_ref_sys_all",
                                            "spatialite_history",
                                            "sql_statements_log",
                                            "views_geometry_columns",
                                            "virts_geometry_columns",
                                            "views_geometry_columns_auth",
                                            "virts_geometry_columns_auth",
                                            "views_geometry_columns_statistics",
                                            "virts_geometry_columns_statistics",
                                            "views_geometry_columns_field_infos",
                                            "virts_geometry_columns_field_infos",
                                            "layer_statistics",
                                            "views_layer_statistics",
                                            "virts_layer_statistics",
                                            "data_licenses",
                                            "spatialindex",
                                            "elementarygeometries",
                                            "knn",
                                            "knn2",
                                            "geom_cols_ref_sys",
                                            "vector_layers",
                                            "vector_layers_auth",
                                            "vector_layers_statistics",
                                            "vector_layers_field_infos"};

const char *pm_store_check_layer_name(const char *name, pm_layer_name_use use)
{
    if (!name || !*name)
        return "it is empty";
    size_t len = strlen(name);
    if (len > PM_LAYER_NAME_MAX)
        return "longer than " STR(PM_LAYER_NAME_MAX) " bytes, the most a layer name may have";
    /* SpatiaLite fails on " " with a raw SQL message; a name that differs
     * from another only by edge spaces would be a trap in every GIS anyway. */
    if (isspace((unsigned char)name[0]) || isspace((unsigned char)name[len - 1]))
        return "it starts or ends with a space";
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        if (*p == '"' || *p == '\'' || *p < 0x20 || *p == 0x7f)
            return "SpatiaLite allows no quotes or control characters in a layer name";
    if (use == PM_LAYER_NAME_READ)
        return NULL;
    if (strncasecmp(name, "sqlite_", 7) == 0 || strncasecmp(name, "idx_", 4) == 0)
        return "names starting sqlite_ or idx_ are SQLite's and SpatiaLite's own";
    for (size_t i = 0; i < sizeof system_tables / sizeof *system_tables; i++)
        if (strcasecmp(name, system_tables[i]) == 0)
            return "it is a SpatiaLite or parkmap metadata table";
    if (use == PM_LAYER_NAME_DERIVED)
        return NULL;
    /* "Clusters" is the same table the next layout would drop. */
    static const char *const derived[] = {PM_LAYER_ADJACENCY, PM_LAYER_QA_ISSUES, PM_LAYER_CLUSTERS,
                                          PM_LAYER_CHANGES};
    for (size_t i = 0; i < sizeof derived / sizeof *derived; i++)
        if (strcasecmp(name, derived[i]) == 0)
            return "parkmap's analysis writes and replaces this table; choose another name";
    return NULL;
}
