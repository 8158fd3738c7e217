import CProcessImage
import Foundation
import Testing

/// Written before the release, read after it: writable data must survive.
nonisolated(unsafe) private var writtenBeforeRelease = [Int](repeating: 0, count: 4096)

/// `process_image_release_read_only_segments`, called in the test process itself while other tests
/// run on other threads: code, constants and relocated data must all keep working. One test only:
/// it compares the process's resident pages before and after.
@Suite("Releasing the read-only segments of the running process")
struct ReleaseReadOnlySegmentsTests {
    @Test func residentMappedFilesShrinkAndTheProcessKeepsWorking() throws {
        for index in writtenBeforeRelease.indices { writtenBeforeRelease[index] = index &* 7919 }
        let encodedBefore = try JSONEncoder().encode(["release": [1, 2, 3]])
        let before = try #require(Self.residentFileKilobytes())

        let totals = process_image_release_read_only_segments()
        let after = try #require(Self.residentFileKilobytes())

        #expect(totals.objects > 1, "the test binary and its libraries")
        #expect(totals.bytes > 0)
        #expect(after < before, "RssFile \(before) kB before, \(after) kB after")
        // Calls through relocated pointers (Foundation, libc): had the loader's writes been
        // dropped, these would crash the process.
        #expect(try JSONEncoder().encode(["release": [1, 2, 3]]) == encodedBefore)
        #expect(String(format: "%05.1f", 3.14159) == "003.1")
        #expect(getpid() > 0)
        #expect(writtenBeforeRelease.indices.allSatisfy { writtenBeforeRelease[$0] == $0 &* 7919 })

        // Again (in the same test: a release elsewhere in the process would spoil the first
        // comparison): the same objects, nothing broken.
        let again = process_image_release_read_only_segments()
        #expect(again.objects == totals.objects)
        #expect(again.bytes == totals.bytes)
        #expect(try JSONEncoder().encode(["release": [1, 2, 3]]) == encodedBefore)
    }

    /// `RssFile` of `/proc/self/status`: pages of mapped files in this process's page tables.
    static func residentFileKilobytes() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("RssFile:") {
            return Int(line.dropFirst("RssFile:".count).split(whereSeparator: \.isWhitespace).first ?? "")
        }
        return nil
    }
}
