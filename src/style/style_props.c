/* The properties a style layer may set, in one table for the parser, the
 * evaluator and the introspection the exporters use: where each belongs,
 * what it holds, the value it takes when a style leaves it unset
 * (MapLibre's default) and the range a number must lie in. The ranges are
 * MapLibre's minimums, and maxima far beyond any map but below where cairo,
 * Pango or FreeType fail (text-size 1e6 made FreeType error out
 * mid-render); literals outside are style errors, data-driven values are
 * clamped when evaluated. */
#include "style_internal.h"

#include <string.h>

/* Colours default to opaque black; other kinds leave the colour zero. */
const pm_prop_def pm_style_props[PM_P_COUNT] = {
    [PM_P_FILL_COLOR] = {"fill-color", 0, PM_LAYER_FILL, PM_K_COLOR, 0, {0, 0, 0, 1}, 0, 0},
    [PM_P_FILL_OPACITY] = {"fill-opacity", 0, PM_LAYER_FILL, PM_K_NUM, 1, {0, 0, 0, 0}, 0, 1},
    [PM_P_FILL_OUTLINE_COLOR] =
        {"fill-outline-color", 0, PM_LAYER_FILL, PM_K_COLOR, 0, {0, 0, 0, 1}, 0, 0},
    [PM_P_LINE_COLOR] = {"line-color", 0, PM_LAYER_LINE, PM_K_COLOR, 0, {0, 0, 0, 1}, 0, 0},
    [PM_P_LINE_WIDTH] = {"line-width", 0, PM_LAYER_LINE, PM_K_NUM, 1, {0, 0, 0, 0}, 0, 1000},
    [PM_P_LINE_OPACITY] = {"line-opacity", 0, PM_LAYER_LINE, PM_K_NUM, 1, {0, 0, 0, 0}, 0, 1},
    /* Parsed and checked as an array of its own (parse_dash). */
    [PM_P_LINE_DASHARRAY] =
        {"line-dasharray", 0, PM_LAYER_LINE, PM_K_NUM, 0, {0, 0, 0, 0}, 0, 1000},
    [PM_P_TEXT_COLOR] = {"text-color", 0, PM_LAYER_SYMBOL, PM_K_COLOR, 0, {0, 0, 0, 1}, 0, 0},
    /* No halo unless asked for. */
    [PM_P_TEXT_HALO_COLOR] =
        {"text-halo-color", 0, PM_LAYER_SYMBOL, PM_K_COLOR, 0, {0, 0, 0, 0}, 0, 0},
    [PM_P_TEXT_HALO_WIDTH] =
        {"text-halo-width", 0, PM_LAYER_SYMBOL, PM_K_NUM, 0, {0, 0, 0, 0}, 0, 1000},
    [PM_P_TEXT_FIELD] = {"text-field", 1, PM_LAYER_SYMBOL, PM_K_STR, 0, {0, 0, 0, 0}, 0, 0},
    [PM_P_TEXT_SIZE] = {"text-size", 1, PM_LAYER_SYMBOL, PM_K_NUM, 16, {0, 0, 0, 0}, 0, 1000},
    [PM_P_TEXT_FONT] = {"text-font", 1, PM_LAYER_SYMBOL, PM_K_STR, 0, {0, 0, 0, 0}, 0, 0},
    [PM_P_VISIBILITY] = {"visibility", 1, 0, PM_K_STR, 0, {0, 0, 0, 0}, 0, 0},
    [PM_P_FILL_PATTERN] = {"fill-pattern", 0, PM_LAYER_FILL, PM_K_STR, 0, {0, 0, 0, 0}, 0, 0},
    [PM_P_FILL_ANTIALIAS] = {"fill-antialias", 0, PM_LAYER_FILL, PM_K_BOOL, 1, {0, 0, 0, 0}, 0, 0},
    [PM_P_SYMBOL_SORT_KEY] =
        {"symbol-sort-key", 1, PM_LAYER_SYMBOL, PM_K_NUM, 0, {0, 0, 0, 0}, -1e15, 1e15},
};

int pm_style_prop_find(const char *name)
{
    for (int i = 0; name && i < PM_P_COUNT; i++)
        if (strcmp(pm_style_props[i].name, name) == 0)
            return i;
    return -1;
}
