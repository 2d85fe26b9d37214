#!/usr/bin/env python3
"""Renders a tmux pane capture (`tmux capture-pane -p -e`, ANSI text) into a PNG, cell by cell.

usage: render.py CAPTURE.ans OUTPUT.png COLUMNS ROWS

pyte emulates the terminal; Pillow draws each cell on a fixed grid with DejaVu Sans Mono, WenQuanYi Micro Hei for
CJK and Noto Color Emoji for emoji, so wide characters stay aligned exactly as the terminal laid them out.
"""
import re
import sys

import pyte
from PIL import Image, ImageDraw, ImageFont

FONT_SIZE = 16
CELL_W, CELL_H = 10, 20
PADDING = 8
MONO = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
MONO_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf"
CJK = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
EMOJI = "/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf"

# xterm's default palette, on a dark background.
NAMED = {
    "black": (0, 0, 0), "red": (205, 49, 49), "green": (13, 188, 121), "brown": (229, 229, 16),
    "blue": (36, 114, 200), "magenta": (188, 63, 188), "cyan": (17, 168, 205), "white": (229, 229, 229),
    "brightblack": (102, 102, 102), "brightred": (241, 76, 76), "brightgreen": (35, 209, 139),
    "brightbrown": (245, 245, 67), "brightblue": (59, 142, 234), "brightmagenta": (214, 112, 214),
    "brightcyan": (41, 184, 219), "brightwhite": (255, 255, 255),
}
DEFAULT_FG = (220, 220, 220)
DEFAULT_BG = (24, 24, 28)


class DimScreen(pyte.Screen):
    """A pyte screen that keeps SGR 2 (dim), which pyte drops: carried in the italics flag (the monitor never
    draws italics), set by 2 and cleared by 22 (normal intensity), 23 and 0."""

    def select_graphic_rendition(self, *attrs, **kwargs):
        mapped = []
        index = 0
        while index < len(attrs):
            attr = attrs[index]
            if attr in (38, 48):  # 38;5;N or 38;2;R;G;B: the numbers after are colours, not attributes
                length = 3 if index + 1 < len(attrs) and attrs[index + 1] == 5 else 5
                mapped += attrs[index:index + length]
                index += length
                continue
            if attr == 2:
                mapped.append(3)
            elif attr == 22:
                mapped += [22, 23]
            else:
                mapped.append(attr)
            index += 1
        super().select_graphic_rendition(*mapped, **kwargs)


def dimmed(fg, bg):
    return tuple((f + b) // 2 for f, b in zip(fg, bg))


def colour(value, default):
    if value == "default":
        return default
    if value in NAMED:
        return NAMED[value]
    if isinstance(value, str) and len(value) == 6:
        return tuple(int(value[i:i + 2], 16) for i in (0, 2, 4))
    return default


def load(path, size, **kwargs):
    try:
        return ImageFont.truetype(path, size, **kwargs)
    except OSError:
        return None


def is_cjk(code):
    return (0x2E80 <= code <= 0x9FFF or 0xAC00 <= code <= 0xD7AF or 0xF900 <= code <= 0xFAFF
            or 0xFF00 <= code <= 0xFFEF or 0x3000 <= code <= 0x30FF)


def is_emoji(code, wide):
    # Symbols such as U+2713 (check mark) are narrow text glyphs DejaVu has; only wide ones are emoji.
    return code >= 0x1F000 or (wide and 0x2600 <= code <= 0x27BF)


# A grapheme cluster tmux keeps in one cell run but pyte would split (a ZWJ sequence, which tmux joins into one
# wide cell; a flag, two regional indicators) becomes one wide placeholder character for pyte, drawn as the cluster.
CLUSTER = re.compile("(?:[\U0001F1E6-\U0001F1FF]{2})|(?:.[\uFE0F\U0001F3FB-\U0001F3FF]?(?:\u200D.?[\uFE0F]?)+)")
PLACEHOLDER_BASE = 0x20000  # CJK Extension B: wide in pyte's wcwidth, and not in the captures


def with_placeholders(text, clusters):
    def replace(match):
        cluster = match.group(0)
        if cluster not in clusters:
            clusters[cluster] = chr(PLACEHOLDER_BASE + len(clusters))
        return clusters[cluster]
    return CLUSTER.sub(replace, text)


def main():
    capture, output, columns, rows = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    screen = DimScreen(columns, rows)
    stream = pyte.Stream(screen)
    with open(capture, encoding="utf-8", errors="replace") as handle:
        text = handle.read()
    clusters = {}
    # One row at a time, each from its own first column: a row that pyte measures wider than tmux did cannot
    # scroll the screen and lose the top row.
    for y, line in enumerate(text.rstrip("\n").split("\n")[:rows]):
        stream.feed("\x1b[%d;1H" % (y + 1) + with_placeholders(line, clusters))
    originals = {placeholder: cluster for cluster, placeholder in clusters.items()}

    mono, bold = load(MONO, FONT_SIZE), load(MONO_BOLD, FONT_SIZE)
    cjk = load(CJK, FONT_SIZE) or mono
    # Noto Color Emoji only comes as a 109 px bitmap font; raqm shapes ZWJ sequences and flags into one glyph.
    emoji = load(EMOJI, 109, layout_engine=ImageFont.Layout.RAQM) or load(EMOJI, 109)
    image = Image.new("RGB", (columns * CELL_W + 2 * PADDING, rows * CELL_H + 2 * PADDING), DEFAULT_BG)
    draw = ImageDraw.Draw(image)
    for y in range(rows):
        line = screen.buffer[y]
        x = 0
        while x < columns:
            cell = line[x]
            fg, bg = colour(cell.fg, DEFAULT_FG), colour(cell.bg, DEFAULT_BG)
            if cell.bold and cell.fg in NAMED and not cell.fg.startswith("bright"):
                fg = NAMED["bright" + cell.fg]
            if cell.reverse:
                fg, bg = bg, fg
            if cell.italics:  # dim (see DimScreen)
                fg = dimmed(fg, bg)
            wide = x + 1 < columns and line[x + 1].data == ""
            width = 2 if wide else 1
            left, top = PADDING + x * CELL_W, PADDING + y * CELL_H
            draw.rectangle([left, top, left + width * CELL_W - 1, top + CELL_H - 1], fill=bg)
            char = cell.data
            if char and char[0] in originals:
                char = originals[char[0]]
            if char and char != " ":
                code = ord(char[0])
                if is_emoji(code, wide) and emoji is not None:
                    glyph = Image.new("RGBA", (136 * 4, 128), (0, 0, 0, 0))
                    ImageDraw.Draw(glyph).text((0, 0), char, font=emoji, embedded_color=True)
                    box = glyph.getbbox()
                    if box:
                        glyph = glyph.crop(box).resize((width * CELL_W - 2, CELL_H - 4))
                        image.paste(glyph, (left + 1, top + 2), glyph)
                else:
                    font = cjk if is_cjk(code) else (bold if cell.bold else mono)
                    draw.text((left, top + 1), char, font=font, fill=fg)
                if cell.underscore:
                    draw.line([left, top + CELL_H - 2, left + width * CELL_W - 1, top + CELL_H - 2], fill=fg)
            x += width
    image.save(output)


if __name__ == "__main__":
    main()
