// OpenBLAS (cblas_* and openblas_set_num_threads) and LAPACKE (gesdd, gesv, ...).
// Debian: libopenblas-dev, liblapacke-dev.
#include <cblas.h>
#include <lapacke.h>
