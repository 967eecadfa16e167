// zlib (Debian: zlib1g-dev), used to inflate the gzip-compressed IDX files.
#include <zlib.h>
