// FreeType 2 (Debian: libfreetype-dev), used to rasterise DejaVu Sans text.
#include <ft2build.h>
#include FT_FREETYPE_H
#include FT_GLYPH_H
