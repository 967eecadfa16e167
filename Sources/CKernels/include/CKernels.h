// The module's umbrella header: every C kernel the Swift targets call.
#ifndef TELEPORT_CKERNELS_H
#define TELEPORT_CKERNELS_H

#include "AllocatorSettings.h"
#include "ExpKernels.h"
#include "OptimizerKernels.h"
#include "ProductKernels.h"
#include "StreamKernels.h"

#endif
