import Foundation
import TestSupport

/// `mosquitto_sub` (a subscriber we did not write) on everything the bridge publishes, with the
/// messages it printed parsed back into topic, payload and retain flag.
final class MQTTWatcher: Sendable {
    struct Message: Sendable, Equatable {
        var retained: Bool
        var topic: String
        var payload: String
    }

    private let child: ChildProcess

    init(port: Int, filters: [String] = ["ckw2mqtt/#", "homeassistant/#"]) async throws {
        let executable = try RequiredProgram.path("mosquitto_sub", package: "mosquitto-clients")
        var arguments = ["-h", "127.0.0.1", "-p", "\(port)", "-F", "%r %t %p", "-i", "watcher-\(UUID().uuidString.prefix(8))"]
        for filter in filters { arguments += ["-t", filter] }
        child = try ChildProcess(executable: executable, arguments: arguments)
        // Subscribed once its first retained message or nothing arrives; give it a moment to connect.
        try await Task.sleep(for: .milliseconds(200))
    }

    var messages: [Message] {
        child.lines.compactMap { line in
            let parts = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count >= 2 else { return nil }
            return Message(retained: parts[0] == "1", topic: String(parts[1]), payload: parts.count == 3 ? String(parts[2]) : "")
        }
    }

    /// The newest message on `topic` satisfying `predicate`, waiting for it.
    @discardableResult
    func waitFor(
        _ topic: String, _ description: String = "a message", timeout: Duration = .seconds(20), after mark: Int = 0,
        where predicate: @escaping (Message) -> Bool = { _ in true }
    ) async throws -> Message {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let message = messages.dropFirst(mark).last(where: { $0.topic == topic && predicate($0) }) { return message }
            guard child.isRunning else { throw TestFailure("mosquitto_sub exited: \(child.outputText)") }
            try await Task.sleep(for: .milliseconds(20))
        }
        let seen = messages.filter { $0.topic == topic }.map(\.payload).suffix(3)
        throw TestFailure("timed out waiting for \(description) on \(topic); last seen: \(Array(seen))")
    }

    /// The newest JSON payload on `topic` whose object satisfies `predicate`.
    @discardableResult
    func waitForJSON(
        _ topic: String, _ description: String, timeout: Duration = .seconds(20), after mark: Int = 0,
        where predicate: @escaping ([String: Any]) -> Bool
    ) async throws -> [String: Any] {
        let message = try await waitFor(topic, description, timeout: timeout, after: mark) { message in
            guard let object = Self.object(message.payload) else { return false }
            return predicate(object)
        }
        return Self.object(message.payload)!
    }

    /// How many messages arrived so far: with `after:`, a wait looks only at what comes later, so
    /// that an "again" is not answered by the message from before.
    var mark: Int { messages.count }

    /// How many messages arrived on `topic` so far.
    func count(_ topic: String) -> Int { messages.count { $0.topic == topic } }

    static func object(_ payload: String) -> [String: Any]? {
        guard let data = payload.data(using: .utf8) else { return nil }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }

    func stop() async { await child.stop() }
}

/// One-off MQTT commands through `mosquitto_pub`.
enum MosquittoPublish {
    static func send(port: Int, topic: String, payload: String?, retain: Bool = false) async throws {
        let executable = try RequiredProgram.path("mosquitto_pub", package: "mosquitto-clients")
        var arguments = ["-h", "127.0.0.1", "-p", "\(port)", "-q", "1", "-t", topic]
        if let payload { arguments += ["-m", payload] } else { arguments.append("-n") }
        if retain { arguments.append("-r") }
        let child = try ChildProcess(executable: executable, arguments: arguments)
        try await child.waitForExit()
        guard child.terminationStatus == 0 else { throw TestFailure("mosquitto_pub failed: \(child.outputText)") }
    }

    /// The retained message of `topic` as a new subscriber sees it, or `nil` when there is none.
    /// `mosquitto_sub` exits at the first message; its time limit only bounds the "none" case, and it
    /// counts from its own start, which alone can take seconds while the whole suite runs on two cores.
    static func retained(port: Int, topic: String) async throws -> String? {
        let executable = try RequiredProgram.path("mosquitto_sub", package: "mosquitto-clients")
        let child = try ChildProcess(executable: executable, arguments: [
            "-h", "127.0.0.1", "-p", "\(port)", "-t", topic, "-v", "--retained-only", "-C", "1", "-W", "5",
        ])
        try await child.waitForExit(timeout: .seconds(15))
        // Anything else it prints (such as "Timed out") is not a message.
        return child.lines.first { $0.hasPrefix(topic + " ") }.map { String($0.dropFirst(topic.count + 1)) }
    }
}
