// Read-only segments of loaded objects are never written (without text relocations), so their
// pages equal the file's and MADV_DONTNEED can drop them safely: the next access maps the page
// again from the page cache. Only address ranges of non-writable segments are touched, so an
// object that is being loaded at the same moment loses nothing either; and dl_iterate_phdr holds
// the loader's lock, so no object is unloaded (and its range reused) while we walk the list.
#define _GNU_SOURCE
#include "CProcessImage.h"

#ifdef __linux__
#include <link.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static int has_text_relocations(const struct dl_phdr_info *info) {
    for (ElfW(Half) index = 0; index < info->dlpi_phnum; index++) {
        const ElfW(Phdr) *header = &info->dlpi_phdr[index];
        if (header->p_type != PT_DYNAMIC) continue;
        const ElfW(Dyn) *entry = (const ElfW(Dyn) *)(info->dlpi_addr + header->p_vaddr);
        for (; entry->d_tag != DT_NULL; entry++) {
            if (entry->d_tag == DT_TEXTREL) return 1;
            if (entry->d_tag == DT_FLAGS && (entry->d_un.d_val & DF_TEXTREL)) return 1;
        }
    }
    return 0;
}

static int is_vdso(const struct dl_phdr_info *info) {
    const char *name = info->dlpi_name;
    return name != NULL && (strncmp(name, "linux-vdso", 10) == 0 || strncmp(name, "linux-gate", 10) == 0);
}

enum { max_ranges = 16 };

static int release_object(struct dl_phdr_info *info, size_t size, void *context) {
    (void)size;
    process_image_release_totals *totals = context;
    if (is_vdso(info) || has_text_relocations(info)) return 0;
    const uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    // Collected first: the program headers themselves lie in the first read-only segment.
    uintptr_t starts[max_ranges], ends[max_ranges];
    int count = 0;
    for (ElfW(Half) index = 0; index < info->dlpi_phnum && count < max_ranges; index++) {
        const ElfW(Phdr) *header = &info->dlpi_phdr[index];
        if (header->p_type != PT_LOAD || (header->p_flags & PF_W) || header->p_filesz == 0) continue;
        // Whole pages inside the segment only: a page shared with a neighbouring writable
        // segment must keep what was written to it.
        uintptr_t start = (info->dlpi_addr + header->p_vaddr + page - 1) & ~(page - 1);
        uintptr_t end = (info->dlpi_addr + header->p_vaddr + header->p_filesz) & ~(page - 1);
        if (end <= start) continue;
        starts[count] = start;
        ends[count] = end;
        count++;
    }
    int released = 0;
    for (int index = 0; index < count; index++) {
        void *start = (void *)starts[index];
        size_t length = ends[index] - starts[index];
        if (madvise(start, length, MADV_DONTNEED) == 0) {
            totals->bytes += length;
            released = 1;
        }
    }
    totals->objects += released;
    return 0;
}

process_image_release_totals process_image_release_read_only_segments(void) {
    process_image_release_totals totals = {0, 0};
    dl_iterate_phdr(release_object, &totals);
    return totals;
}

#else  // Not an ELF system: nothing is released.

process_image_release_totals process_image_release_read_only_segments(void) {
    process_image_release_totals totals = {0, 0};
    return totals;
}

#endif
