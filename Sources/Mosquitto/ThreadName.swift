#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Names the calling thread, as `top -H`, `ps -L` and debuggers show it.
///
/// Foundation's `Thread.name` is not used: on Linux it reaches the system only when the `Thread` object
/// already knows its pthread, which races with the thread's start. Glibc's `pthread_setname_np` is
/// declared only under `_GNU_SOURCE`, which Swift's Glibc module lacks, so it is looked up at run time.
enum ThreadName {
    /// Linux keeps 15 bytes of a thread name.
    static let maximumBytes = 15

    static func setCurrent(_ name: String) {
        #if os(Linux)
        typealias SetName = @convention(c) (pthread_t, UnsafePointer<CChar>) -> Int32
        // RTLD_DEFAULT is a null handle in glibc.
        guard let symbol = dlsym(nil, "pthread_setname_np") else { return }
        _ = unsafeBitCast(symbol, to: SetName.self)(pthread_self(), name)
        #elseif canImport(Darwin)
        _ = pthread_setname_np(name)
        #endif
    }

    /// `text` cut to what the system keeps, without splitting a character.
    static func make(_ text: String) -> String {
        let bytes = Array(text.utf8)
        var end = min(bytes.count, maximumBytes)
        // Back off to the start of a character cut at the end.
        while end < bytes.count && bytes[end] & 0xC0 == 0x80 { end -= 1 }
        return String(decoding: bytes[..<end], as: UTF8.self)
    }
}
