import CProcessImage
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// Gives back the pages that only start-up used, once the bridge has caught up.
///
/// Most of a Swift daemon's resident memory is code and constants mapped from the binary and the
/// Swift and Foundation libraries: argument parsing, the YAML loader, the login, discovery and the
/// look-back run once, but their pages (and every 64 KB block the kernel maps around a touched
/// page) stay counted in the process's RSS for good. Dropping the mappings of read-only segments
/// costs nothing lasting: the pages stay in the page cache and whatever the steady state still
/// runs faults back in without I/O. Writable data is not touched.
enum StartupPageRelease {
    static func release(logger: Logger) {
        let before = ResidentSize.current()
        let totals = process_image_release_read_only_segments()
        let after = ResidentSize.current()
        logger.info("start-up is over; gave back the pages only start-up used", metadata: [
            "objects": "\(totals.objects)",
            "residentBefore": "\(before.map(ResidentSize.megabytes) ?? "?")",
            "residentAfter": "\(after.map(ResidentSize.megabytes) ?? "?")",
        ])
    }
}

/// The process's resident set, from `/proc/self/statm` (Linux).
enum ResidentSize {
    static func current() -> Int? {
        #if os(Linux)
        let descriptor = open("/proc/self/statm", O_RDONLY)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 128)
        let count = read(descriptor, &buffer, buffer.count)
        guard count > 0 else { return nil }
        // "size resident shared text lib data dt", in pages.
        let fields = String(decoding: buffer[0..<count], as: UTF8.self).split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
        #else
        return nil
        #endif
    }

    static func megabytes(_ bytes: Int) -> String {
        let tenths = (bytes * 10 + 524_288) / 1_048_576
        return "\(tenths / 10).\(tenths % 10) MB"
    }
}
