#ifndef CPROCESS_IMAGE_H
#define CPROCESS_IMAGE_H

#include <stddef.h>

/// What `process_image_release_read_only_segments` did.
typedef struct {
    /// Loaded objects (the executable, shared libraries) whose segments were released.
    size_t objects;
    /// Bytes of address space advised; most of it was never resident.
    size_t bytes;
} process_image_release_totals;

/// Drops this process's page-table entries for the read-only segments (code, constants, symbol
/// tables) of every loaded ELF object, as the dynamic loader lists them. The pages stay in the
/// kernel's page cache; whatever the process still uses faults back in (a minor fault, no I/O).
/// Skipped: writable segments (their changed pages would be lost), objects with text relocations
/// (their code was written to), and the vDSO.
process_image_release_totals process_image_release_read_only_segments(void);

#endif
