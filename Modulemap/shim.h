// ncursesw for Swift: the wide-character API is only declared with these two defines, and SwiftPM drops
// pkg-config's -D flags, so they are set here before the include.
#define _XOPEN_SOURCE_EXTENDED 1
#define NCURSES_WIDECHAR 1
#include <ncursesw/curses.h>
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <wchar.h>

// Macros, globals and variadic calls are not importable (or, for globals, rejected by Swift 6 as shared
// mutable state): each gets a static inline wrapper here. A system-library target compiles no .c file.

static inline WINDOW *shim_stdscr(void) { return stdscr; }
static inline FILE *shim_stdout(void) { return stdout; }
static inline FILE *shim_stdin(void) { return stdin; }

static inline int shim_height(void) {
    int rows, columns;
    getmaxyx(stdscr, rows, columns);
    (void)columns;
    return rows;
}

static inline int shim_width(void) {
    int rows, columns;
    getmaxyx(stdscr, rows, columns);
    (void)rows;
    return columns;
}

static inline int shim_colors(void) { return COLORS; }
static inline int shim_color_pairs(void) { return COLOR_PAIRS; }

static inline attr_t shim_attr_normal(void) { return A_NORMAL; }
static inline attr_t shim_attr_bold(void) { return A_BOLD; }
static inline attr_t shim_attr_reverse(void) { return A_REVERSE; }
static inline attr_t shim_attr_underline(void) { return A_UNDERLINE; }
static inline attr_t shim_attr_dim(void) { return A_DIM; }

static inline int shim_err(void) { return ERR; }
static inline int shim_key_code_yes(void) { return KEY_CODE_YES; }

// Function keys the monitor reads (KEY_* are macros; wrapping them keeps the Swift side free of octal literals).
static inline int shim_key_up(void) { return KEY_UP; }
static inline int shim_key_down(void) { return KEY_DOWN; }
static inline int shim_key_left(void) { return KEY_LEFT; }
static inline int shim_key_right(void) { return KEY_RIGHT; }
static inline int shim_key_home(void) { return KEY_HOME; }
static inline int shim_key_end(void) { return KEY_END; }
static inline int shim_key_ppage(void) { return KEY_PPAGE; }
static inline int shim_key_npage(void) { return KEY_NPAGE; }
static inline int shim_key_backspace(void) { return KEY_BACKSPACE; }
static inline int shim_key_dc(void) { return KEY_DC; }
static inline int shim_key_enter(void) { return KEY_ENTER; }
static inline int shim_key_btab(void) { return KEY_BTAB; }
static inline int shim_key_resize(void) { return KEY_RESIZE; }

/// `wget_wch` on stdscr: OK with a character, KEY_CODE_YES with a function key, ERR when nothing is queued.
static inline int shim_get_wch(wint_t *out) { return wget_wch(stdscr, out); }

/// Draws one cell: a base character plus up to CCHARW_MAX-1 combining characters (`wch` is NUL-terminated).
static inline int shim_put_cell(int row, int column, const wchar_t *wch, attr_t attributes, short pair) {
    cchar_t cell;
    if (setcchar(&cell, wch, attributes, pair, NULL) == ERR) return ERR;
    return mvwadd_wch(stdscr, row, column, &cell);
}

static inline int shim_cchar_max(void) { return CCHARW_MAX; }

// Raw output after `doupdate` for what a `cchar_t` cannot hold (a grapheme cluster of several spacing code points,
// such as a ZWJ family or a flag): the cell is a placeholder to ncurses, and the cluster's bytes are written over it.
// Attributes go through `vid_puts` so ncurses' idea of the terminal's current attributes stays true.
extern int tputs(const char *, int, int (*)(int));

static inline int shim_raw_putc(int c) { return putc(c, stdout); }

/// Moves the terminal's cursor with terminfo's `cup` (0-based), without ncurses noticing.
static inline int shim_raw_move(int row, int column) {
    char *cup = tigetstr("cup");
    if (cup == NULL || cup == (char *)-1) return ERR;
    return tputs(tiparm(cup, row, column), 1, shim_raw_putc);
}

static inline int shim_raw_attributes(attr_t attributes, short pair) {
    return vid_puts(attributes, pair, NULL, shim_raw_putc);
}

static inline void shim_raw_text(const char *utf8) { fputs(utf8, stdout); }
static inline void shim_raw_flush(void) { fflush(stdout); }

/// Where `doupdate` left the cursor (`getsyx`: the cursor of newscr).
static inline void shim_screen_cursor(int *row, int *column) {
    int y = 0, x = 0;
    getsyx(y, x);
    *row = y;
    *column = x;
}

/// SGR 1006 mouse reporting on (buttons and wheel, reported as `ESC [ < b ; x ; y M/m`) or off. ncurses picks the
/// X10 encoding from terminfo, whose one-byte coordinates stop at column 223; the monitor decodes SGR itself.
static inline void shim_sgr_mouse(int on) {
    fputs(on ? "\033[?1000h\033[?1006h" : "\033[?1006l\033[?1000l", stdout);
    fflush(stdout);
}

/// Draws a line-drawing cell with `WACS_*` (0 horizontal, 1 vertical, 2-5 the corners top left, top right,
/// bottom left, bottom right): under a UTF-8 locale ncurses sends the Unicode box characters. The monitor calls it
/// only under UTF-8; elsewhere ncurses would switch to the terminal's alternate charset (VT100 graphics), so the
/// monitor draws `-`, `|` and `+` itself. The attributes are the cell's, plus the alternate charset where ncurses
/// uses it.
static inline int shim_put_line(int row, int column, int kind, attr_t attributes, short pair) {
    const cchar_t *source;
    switch (kind) {
    case 0: source = WACS_HLINE; break;
    case 1: source = WACS_VLINE; break;
    case 2: source = WACS_ULCORNER; break;
    case 3: source = WACS_URCORNER; break;
    case 4: source = WACS_LLCORNER; break;
    default: source = WACS_LRCORNER; break;
    }
    wchar_t wch[CCHARW_MAX + 1] = {0};
    attr_t own = 0;
    short ownPair = 0;
    if (getcchar(source, wch, &own, &ownPair, NULL) == ERR) return ERR;
    cchar_t cell;
    if (setcchar(&cell, wch, attributes | (own & A_ALTCHARSET), pair, NULL) == ERR) return ERR;
    return mvwadd_wch(stdscr, row, column, &cell);
}

/// `wcwidth` (hidden by the Glibc module): -1 for non-printable characters, and for anything non-ASCII under a
/// non-UTF-8 locale.
static inline int shim_wcwidth(wchar_t character) { return wcwidth(character); }

/// The codeset of the current locale (`nl_langinfo(CODESET)`), e.g. "UTF-8" or "ANSI_X3.4-1968".
static inline const char *shim_codeset(void) { return nl_langinfo(CODESET); }

/// `setlocale(LC_ALL, "")`: takes the locale from the environment, needed before `newterm` for wide characters.
static inline void shim_use_environment_locale(void) { setlocale(LC_ALL, ""); }
