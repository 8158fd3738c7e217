import Foundation

/// Resident memory of a process, from `/proc/<pid>/status` (what `ps` and systemd show).
enum ResidentMemory {
    static func kilobytes(of pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
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
