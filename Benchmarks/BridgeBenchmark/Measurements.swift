import Foundation

/// The memory of a process, in kB: what it really costs (`RssAnon`: heap and stacks, which no one
/// else shares and the kernel cannot drop), its proportional share (`Pss`, from `smaps_rollup`:
/// shared file pages divided among their users) and what `ps` and systemd show (`VmRSS`, which
/// counts clean pages of the binary and the libraries the kernel can drop at any time).
struct MemorySample {
    var anonymous: Int
    var proportional: Int
    var resident: Int

    static func of(_ pid: Int32) -> MemorySample? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let rollup = try? String(contentsOfFile: "/proc/\(pid)/smaps_rollup", encoding: .utf8),
              let anonymous = kilobytes("RssAnon:", in: status),
              let resident = kilobytes("VmRSS:", in: status),
              let proportional = kilobytes("Pss:", in: rollup)
        else { return nil }
        return MemorySample(anonymous: anonymous, proportional: proportional, resident: resident)
    }

    /// "RssAnon:\t    4120 kB" -> 4120
    private static func kilobytes(_ key: String, in text: String) -> Int? {
        for line in text.split(separator: "\n") where line.hasPrefix(key) {
            return line.dropFirst(key.count).split(whereSeparator: { $0 == " " || $0 == "\t" }).first.flatMap { Int($0) }
        }
        return nil
    }
}

/// One benchmark figure: printed as a JSON line and as a row of the final table.
struct Figure {
    var name: String
    var value: Double
    var unit: String
    var target: String
    var met: Bool

    var jsonLine: String {
        "{\"benchmark\":\"\(name)\",\"value\":\(String(format: "%.3f", value)),\"unit\":\"\(unit)\",\"target\":\"\(target)\",\"met\":\(met)}"
    }
}

extension Array where Element == Double {
    func percentile(_ fraction: Double) -> Double {
        guard !isEmpty else { return .nan }
        let sorted = self.sorted()
        return sorted[Swift.min(sorted.count - 1, Int((Double(sorted.count - 1) * fraction).rounded()))]
    }
}

extension Duration {
    var milliseconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }
}
