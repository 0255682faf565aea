#include <isa-l/igzip_lib.h>
#include <isa-l/crc.h>

/* The level buffer sizes are macro expressions Swift cannot import: expose them as a function. */
static inline unsigned int cisal_level1_buffer_size(void) { return ISAL_DEF_LVL1_DEFAULT; }
