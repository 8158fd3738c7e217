import Foundation

/// What a process holds, from /proc: resident memory (all of it, and the anonymous part: heap and
/// stacks, where a leak shows), open file descriptors, threads.
struct ProcessSample: Equatable {
    var residentKilobytes: Int
    var anonymousKilobytes: Int
    var fileDescriptors: Int
    var threads: Int

    init?(pid: Int32) {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let descriptors = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd"),
              let tasks = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")
        else { return nil }
        func field(_ name: String) -> Int? {
            status.split(separator: "\n").first { $0.hasPrefix(name + ":") }
                .flatMap { $0.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first }
                .flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        }
        guard let rss = field("VmRSS"), let anonymous = field("RssAnon") else { return nil }
        residentKilobytes = rss
        anonymousKilobytes = anonymous
        fileDescriptors = descriptors.count
        threads = tasks.count
    }
}
