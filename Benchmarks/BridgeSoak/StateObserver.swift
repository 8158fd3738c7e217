import Bridge
import Foundation
import Synchronization
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

    /// Lines as they come, split at newlines (a read may end mid-line).
    private final class Received: Sendable {
        let state = Mutex((pending: Data(), messages: [Message]()))

        func append(_ chunk: Data) {
            state.withLock { state in
                state.pending.append(chunk)
                while let newline = state.pending.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = String(decoding: state.pending[state.pending.startIndex..<newline], as: UTF8.self)
                    state.pending.removeSubrange(state.pending.startIndex...newline)
                    guard let space = line.firstIndex(of: " ") else { continue }
                    state.messages.append(Message(topic: String(line[..<space]), payload: String(line[line.index(after: space)...])))
                }
            }
        }
    }

    private let process = Process()
    private let received = Received()

    init(port: Int, ids: [String]) throws {
        let executable = try RequiredProgram.path("mosquitto_sub", package: "mosquitto-clients")
        process.executableURL = URL(fileURLWithPath: executable)
        // One filter per metering point: `ckw2mqtt/+/state` would also match `ckw2mqtt/bridge/state`.
        process.arguments = ["-h", "127.0.0.1", "-p", "\(port)", "-q", "1", "-F", "%t %p"] + ids.flatMap { ["-t", "ckw2mqtt/\($0)/state"] }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        output.fileHandleForReading.readabilityHandler = { [received] handle in
            received.append(handle.availableData)
        }
        try process.runWithDefaultSignalMask()
    }

    var messages: [Message] { received.state.withLock { $0.messages } }
    var isRunning: Bool { process.isRunning }

    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }
}
