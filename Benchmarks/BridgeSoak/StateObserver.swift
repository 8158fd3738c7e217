import Bridge
import Foundation
import TestSupport

/// Every state message the bridge publishes for the whole run, as `mosquitto_sub` (a client we did
/// not write) receives it: it subscribes again after each broker crash and then gets the retained
/// state the bridge republished.
@MainActor
final class StateObserver {
    struct Message: Sendable {
        var topic: String
        var payload: String
    }

    private let child: ChildProcess

    init(port: Int, ids: [String]) throws {
        let executable = try RequiredProgram.path("mosquitto_sub", package: "mosquitto-clients")
        // One filter per metering point: `ckw2mqtt/+/state` would also match `ckw2mqtt/bridge/state`.
        child = try ChildProcess(
            executable: executable,
            arguments: ["-h", "127.0.0.1", "-p", "\(port)", "-q", "1", "-F", "%t %p"] + ids.flatMap { ["-t", "ckw2mqtt/\($0)/state"] },
            discardingStandardError: true)
    }

    /// The messages received so far, in order (`-F "%t %p"`: topic, a space, the payload).
    var messages: [Message] {
        child.lines.compactMap { line in
            guard let space = line.firstIndex(of: " ") else { return nil }
            return Message(topic: String(line[..<space]), payload: String(line[line.index(after: space)...]))
        }
    }

    var isRunning: Bool { child.isRunning }

    func stop() async {
        await child.stop()
    }
}
