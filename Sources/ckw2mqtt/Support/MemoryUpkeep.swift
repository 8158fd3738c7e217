import Bridge
import Foundation
import Logging
import ServiceLifecycle

#if canImport(Glibc)
import CGlibcMalloc
import Glibc
#endif

/// Gives the heap's free pages back to the system a few seconds after each state save (the end of a
/// burst of work). glibc returns only what is free at the top of the heap on its own; after a batch
/// for 1,000 metering points (decoding, publishing, writing the state) most of the freed memory lies
/// below blocks still in use and would stay resident for good. `malloc_trim` returns those pages.
///
/// A service reading the bridge's events (`BridgeService.events()`).
struct MemoryUpkeep: Service {
    /// Long enough for the publisher to finish the batch whose state was just saved.
    static let trimDelay: Duration = .seconds(5)

    private let events: AsyncStream<BridgeEvent>
    private let logger: Logger

    init(events: AsyncStream<BridgeEvent>, logger: Logger) {
        self.events = events
        self.logger = logger
    }

    func run() async {
        // Only the newest save matters: the trim after it covers the ones before.
        let (saves, saved) = AsyncStream.makeStream(of: ContinuousClock.Instant.self, bufferingPolicy: .bufferingNewest(1))
        // Shutdown cancels a pending wait; the trim is not needed then.
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask {
                    for await event in events where event.kind == .stateSaved { saved.yield(.now) }
                    saved.finish()
                }
                group.addTask {
                    var lastTrim = ContinuousClock.Instant.now
                    for await save in saves where save >= lastTrim {
                        // Saves during the wait share this trim.
                        do { try await Task.sleep(for: Self.trimDelay) } catch { return }
                        lastTrim = .now
                        trim()
                    }
                }
            }
        }
    }

    private func trim() {
        #if canImport(Glibc)
        // The figures cost two reads of /proc: only when someone reads them.
        guard logger.logLevel <= .debug else {
            _ = malloc_trim(0)
            return
        }
        let before = AnonymousMemory.current()
        _ = malloc_trim(0)
        let after = AnonymousMemory.current()
        logger.debug("trimmed the heap after a state save", metadata: [
            "anonymousBefore": "\(before.map(AnonymousMemory.megabytes) ?? "?")",
            "anonymousAfter": "\(after.map(AnonymousMemory.megabytes) ?? "?")",
        ])
        #endif
    }
}

/// The process's anonymous resident memory (heap, stacks), `RssAnon` of `/proc/self/status`.
enum AnonymousMemory {
    static func current() -> Int? {
        #if os(Linux)
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("RssAnon:") {
            // "RssAnon:	    4120 kB"
            return line.split(separator: " ").dropFirst().first.flatMap { Int($0) }.map { $0 * 1024 }
        }
        return nil
        #else
        return nil
        #endif
    }

    static func megabytes(_ bytes: Int) -> String {
        let tenths = (bytes * 10 + 524_288) / 1_048_576
        return "\(tenths / 10).\(tenths % 10) MB"
    }
}
