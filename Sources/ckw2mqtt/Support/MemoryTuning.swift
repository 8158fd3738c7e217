#if canImport(Glibc)
import Glibc
#endif

/// Keeps the daemon's memory small: glibc gives threads that allocate at the same time malloc arenas
/// of their own (64 MiB of address space each, and resident pages that are seldom returned); two
/// arenas are plenty for a process that mostly waits. Same effect as `MALLOC_ARENA_MAX=2`, set by
/// the process itself so that nobody has to remember the variable.
enum MemoryTuning {
    static func apply() {
        #if canImport(Glibc)
        // `mallopt` is not in Swift's Glibc module (malloc.h); look it up with its C calling convention.
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        let mArenaMax: Int32 = -8  // M_ARENA_MAX in malloc.h
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        _ = unsafeBitCast(symbol, to: Mallopt.self)(mArenaMax, 2)
        #endif
    }
}
