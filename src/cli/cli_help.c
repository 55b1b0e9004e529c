/* --help, generated from a command's option table, so that an option is
 * documented where it is declared and none can be left out. */
#include "cli_opts.h"

#include <string.h>

#define WIDTH 90    /* wrap column */
#define HELP_COL 28 /* where an option's description starts */

/* Print word at column col, first breaking the line to column indent if
 * it would pass WIDTH. Returns the column reached. */
static int put_word(const char *word, size_t len, int col, int indent)
{
    if (col > indent && col + 1 + (int)len > WIDTH) {
        printf("\n%*s", indent, "");
        col = indent;
    } else if (col != indent) {
        putchar(' ');
        col++;
    }
    printf("%.*s", (int)len, word);
    return col + (int)len;
}

/* Print text, wrapped at its spaces. */
static int put_wrapped(const char *text, int col, int indent)
{
    for (text += strspn(text, " "); *text; text += strspn(text, " ")) {
        size_t len = strcspn(text, " ");
        col = put_word(text, len, col, indent);
        text += len;
    }
    return col;
}

static int is_common(const cli_slot *s, const char *name)
{
    return s->common && strcmp(s->opt->name, name) == 0;
}

static void synopsis(const cli_cmd *cmd, const cli_slot *slots, size_t n)
{
    char word[128];
    int indent = (int)(strlen("usage: parkmap  ") + strlen(cmd->name));
    /* Ends one column short of indent: every word then comes after a space. */
    int col = printf("usage: parkmap %s", cmd->name);
    if (cmd->needs & CLI_SOURCE)
        col = put_word("SRC", 3, col, indent);
    /* Required options first: what must be given. */
    for (int required = 1; required >= 0; required--)
        for (size_t i = 0; i < n; i++) {
            const cli_opt *o = slots[i].opt;
            if (!(o->flags & CLI_REQUIRED) != !required)
                continue;
            if (is_common(&slots[i], "csv") && cmd->needs & CLI_JSON)
                continue; /* shown with --json */
            const char *alt = is_common(&slots[i], "json") && cmd->needs & CLI_CSV ? "|--csv" : "";
            /* -o OUT as people type it; a flag by its long name, which says
             * what it does. */
            if (o->letter && o->arg)
                snprintf(word, sizeof word, "%s-%c %s%s", required ? "" : "[", o->letter, o->arg,
                         required ? "" : "]");
            else
                snprintf(word, sizeof word, "%s--%s%s%s%s%s", required ? "" : "[", o->name,
                         o->arg ? " " : "", o->arg ? o->arg : "", alt, required ? "" : "]");
            col = put_word(word, strlen(word), col, indent); /* "--opt ARG" stays whole */
        }
    putchar('\n');
}

void cli_help(const cli_cmd *cmd)
{
    cli_slot slots[CLI_MAX_OPTS];
    size_t n = cli_slots(slots, cmd);
    synopsis(cmd, slots, n);
    printf("\n%s\nOptions:\n", cmd->about);
    char label[128];
    for (size_t i = 0; i <= n; i++) {
        const cli_opt *o = i < n ? slots[i].opt : NULL;
        if (o)
            snprintf(label, sizeof label, "  %s%c%s--%s%s%s", o->letter ? "-" : " ",
                     o->letter ? o->letter : ' ', o->letter ? ", " : "  ", o->name,
                     o->arg ? " " : "", o->arg ? o->arg : "");
        else
            snprintf(label, sizeof label, "  -h, --help");
        int col = printf("%s", label);
        if (col + 2 > HELP_COL) {
            putchar('\n');
            col = 0;
        }
        printf("%*s", HELP_COL - col, "");
        put_wrapped(o ? o->help : "this help", HELP_COL, HELP_COL);
        putchar('\n');
    }
}
