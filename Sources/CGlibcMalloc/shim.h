// glibc's malloc.h (`malloc_trim`), which Swift's Glibc module does not include.
#if defined(__linux__)
#include <malloc.h>
#endif
