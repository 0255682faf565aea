#include <zstd.h>
/* ZSTD_getErrorCode lives in the separate error header. */
#include <zstd_errors.h>
