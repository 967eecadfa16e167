// libjpeg-turbo's TurboJPEG API (Debian: libturbojpeg0-dev), used to decode image-folder datasets.
#include <stddef.h>
#include <turbojpeg.h>
