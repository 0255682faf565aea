#include <git2.h>
#include <git2/sys/odb_backend.h>
#include <git2/sys/repository.h>
#include <git2/sys/mempack.h>

/* git_libgit2_opts is variadic, which Swift cannot call: typed wrappers. */
static inline int cgit2_opt_int(git_libgit2_opt_t opt, int value) { return git_libgit2_opts(opt, value); }
