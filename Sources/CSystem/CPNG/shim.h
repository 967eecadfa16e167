// libpng 1.6 (Debian: libpng-dev), used to write and decode RGBA figures.
#include <png.h>
