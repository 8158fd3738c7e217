#if canImport(Glibc)
import Glibc
#endif

/// Keeps the daemon's resident memory small (glibc's malloc, set by the process itself so that
/// nobody has to remember `MALLOC_ARENA_MAX` and friends):
/// - two arenas: glibc otherwise gives threads that allocate at the same time arenas of their own,
///   whose pages are seldom returned; two are plenty for a process that mostly waits;
/// - a fixed mmap threshold: glibc raises it on its own after large blocks are freed, after which
///   the multi-megabyte buffers of a state save (1,000 metering points) stay in the heap for good;
///   fixed, they are mapped and unmapped and leave nothing behind;
/// - a lower trim threshold, so freed memory at the top of the heap goes back sooner.
enum MemoryTuning {
    static func apply() {
        #if canImport(Glibc)
        _ = mallocTrim
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
        // The parameter numbers of malloc.h.
        let trimThreshold: Int32 = -1, mmapThreshold: Int32 = -3, arenaMax: Int32 = -8
        _ = mallopt(arenaMax, 2)
        _ = mallopt(mmapThreshold, 128 * 1024)
        _ = mallopt(trimThreshold, 256 * 1024)
        #endif
    }

    /// Returns the free pages inside the heap to the system (glibc's `malloc_trim`). glibc gives
    /// back only what is free at the top of the heap; after a burst of work (a batch for 1,000
    /// metering points: decoding, publishing, writing the state) most of the freed memory lies
    /// below blocks that are still in use and would stay resident for good.
    static func trim() {
        #if canImport(Glibc)
        _ = mallocTrim?(0)
        #endif
    }

    #if canImport(Glibc)
    // `mallopt` and `malloc_trim` are not in Swift's Glibc module (malloc.h); they are looked up
    // with their C calling convention. `malloc_trim` once, from `apply()` at start-up: a lookup
    // walks the symbol tables of every loaded library, pages the daemon gives back after start-up.
    private typealias MallocTrim = @convention(c) (Int) -> Int32
    private static let mallocTrim: MallocTrim? = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim")
        .map { unsafeBitCast($0, to: MallocTrim.self) }
    #endif
}
