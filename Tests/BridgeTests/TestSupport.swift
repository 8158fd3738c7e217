import Foundation
import Testing

/// A fresh directory under the system temporary directory, removed by `remove()`.
struct TemporaryDirectory {
    let path: String

    init() throws {
        let base = FileManager.default.temporaryDirectory.path
        path = (base as NSString).appendingPathComponent("ckw2mqtt-bridge-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    @discardableResult
    func write(_ name: String, _ contents: String) throws -> String {
        let target = file(name)
        try contents.write(toFile: target, atomically: false, encoding: .utf8)
        return target
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// A fixed environment: no real `HOME`, `STATE_DIRECTORY` or `CKW2MQTT_*` from the machine.
let baseEnvironment = ["HOME": "/home/anna"]

/// The minimum a `run` needs from the CKW side.
let requiredCKWYAML = """
ckw:
  api_base_url: https://api.example.ch/openenergy
  client_id: ckw2mqtt-test

"""

/// A UTC instant on the quarter-hour grid: `quarterHour(0)` is 2026-11-26T23:00:00Z.
func quarterHour(_ index: Int) -> Date {
    Date(timeIntervalSince1970: 1_795_734_000 + TimeInterval(index) * 900)
}
