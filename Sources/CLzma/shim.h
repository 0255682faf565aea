#include <lzma.h>

/* LZMA_STREAM_INIT is a macro: a function Swift can call for a zeroed stream. */
static inline lzma_stream clzma_stream_init(void) {
    lzma_stream strm = LZMA_STREAM_INIT;
    return strm;
}
