import Foundation
import Mosquitto
import Synchronization
import TestSupport

struct BenchmarkError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// - Parameter fromLoopThread: `false` for the baseline (a loop thread and a publishing thread),
///   `true` for publishing from the loop thread itself.
func runCPublisher(
    _ executable: String, port: Int, qos: MQTTQoS, fromLoopThread: Bool, settings: BenchmarkSettings
) async throws -> Measurement {
    let arguments = [port, settings.messages, settings.payloadBytes, Int(qos.rawValue), settings.window, settings.maxInflight]
        .map(String.init) + [fromLoopThread ? "loop" : "threads"]
    let (status, output) = try await ChildProcess.run(executable, arguments, discardingStandardError: true, timeout: .seconds(600))
    guard status == 0 else { throw BenchmarkError("mosquitto-c-publisher failed (status \(status))") }
    let data = Data(output.utf8)

    struct Line: Decodable { var implementation: String; var seconds: Double }
    let line = try JSONDecoder().decode(Line.self, from: data)
    return Measurement(implementation: line.implementation, qos: Int(qos.rawValue), messages: settings.messages,
                       payloadBytes: settings.payloadBytes, seconds: line.seconds)
}

/// The same work through the wrapper: `window` tasks publish concurrently, each taking the next
/// message number, and the clock stops when the last publication has returned.
///
/// - Parameter onConnectionThread: whether the tasks prefer the client's executor (its connection
///   thread, as the wrapper recommends for high rates) or run on Swift's global concurrent pool.
func runWrapper(port: Int, qos: MQTTQoS, onConnectionThread: Bool, settings: BenchmarkSettings) async throws -> Measurement {
    let client = try MQTTClient(configuration: .init(
        host: "127.0.0.1", port: port, clientID: "",
        maxInflightMessages: settings.maxInflight, maxQueuedMessages: max(settings.window, 1)))
    let events = client.events()
    try client.start()
    for await event in events { if case .connected = event { break } }

    let payload = [UInt8](repeating: UInt8(ascii: "x"), count: settings.payloadBytes)
    let next = MessageCounter()
    let total = settings.messages
    let start = ContinuousClock.now
    try await withThrowingTaskGroup(of: Void.self) { group in
        for _ in 0..<min(settings.window, total) {
            group.addTask(executorPreference: onConnectionThread ? client.executor : nil) {
                while next.take() < total {
                    try await client.publish(topic: "benchmark/swift", payload: payload, qos: qos)
                }
            }
        }
        try await group.waitForAll()
    }
    let elapsed = ContinuousClock.now - start
    await client.shutdown()

    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    return Measurement(implementation: onConnectionThread ? "swift" : "swift-pool", qos: Int(qos.rawValue), messages: total,
                       payloadBytes: settings.payloadBytes, seconds: seconds)
}

/// Medians per implementation and QoS, each against the baseline `c`.
func printSummary(_ results: [Measurement], settings: BenchmarkSettings) {
    func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }
    func padded(_ text: String, _ width: Int) -> String { String(repeating: " ", count: max(0, width - text.count)) + text }
    print("")
    print("\(settings.messages) messages of \(settings.payloadBytes) bytes, \(settings.rounds) rounds, "
        + "window \(settings.window), in-flight \(settings.maxInflight); medians in messages/s")
    print("QoS  implementation  messages/s  of c")
    for qos in settings.qosLevels {
        let baseline = median(results.filter { $0.qos == qos && $0.implementation == "c" }.map(\.messagesPerSecond))
        for implementation in BenchmarkSettings.allImplementations where settings.implementations.contains(implementation) {
            guard let rate = median(results.filter { $0.qos == qos && $0.implementation == implementation }.map(\.messagesPerSecond))
            else { continue }
            let ratio = baseline.map { rate / $0 * 100 }
            print(padded(String(qos), 3) + "  " + implementation.padding(toLength: 14, withPad: " ", startingAt: 0) + "  "
                + padded(String(Int(rate)), 10) + "  " + padded(ratio.map { String(format: "%.1f %%", $0) } ?? "-", 7))
            print(#"{"benchmark":"mosquitto-publish","summary":true,"qos":\#(qos),"implementation":"\#(implementation)","median_messages_per_second":\#(Int(rate)),"percent_of_c":\#(ratio.map { String(($0 * 10).rounded() / 10) } ?? "null")}"#)
        }
    }
}

/// Hands out message numbers to the publishing tasks.
final class MessageCounter: Sendable {
    private let next = Atomic<Int>(0)
    func take() -> Int { next.add(1, ordering: .relaxed).oldValue }
}
