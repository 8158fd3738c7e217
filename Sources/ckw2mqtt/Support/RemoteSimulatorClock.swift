import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import OpenEnergy
import ServiceLifecycle
import Synchronization
import Timestamps

/// The simulated time of a CKW simulator running in another process (`ckw2mqtt simulate`, a test,
/// the soak run), for `ckw2mqtt run --simulator-clock`: the fault tests and the soak kill and restart
/// the real daemon while the simulator, and its fast or stopped clock, lives on.
///
/// Reads `GET /_sim/clock` (`{"now": ..., "speed": ..., "bridgeClockErrorSeconds": ...}`) every
/// `interval` and extrapolates in between. The simulated time is the bridge's monotonic clock and
/// never runs backwards: a reply that arrives late must not move it back by the simulated seconds
/// it spent on the way. The wall clock is that time plus the error of the box's clock, which a
/// test steps (`PUT /_sim/clock {"stepBridgeClockSeconds": ...}`) as NTP steps a stale clock.
final class RemoteSimulatorClock: Sendable {
    private struct Reading {
        var simulated: Date
        var real: ContinuousClock.Instant
        var speed: Double
        /// The latest instant handed out, so that the simulated time is monotonic.
        var reported: Date
        var wallClockError: TimeInterval
    }

    private struct ClockState: Decodable {
        var now: String
        var speed: Double
        var bridgeClockErrorSeconds: Double?
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let url: URL
    private let interval: Duration
    private let httpClient = HTTPClient(eventLoopGroupProvider: .singleton)
    private let reading: Mutex<Reading>

    /// Reads the clock once, so the bridge starts at the right instant.
    static func connect(to url: URL, interval: Duration = .milliseconds(50)) async throws -> RemoteSimulatorClock {
        let clock = RemoteSimulatorClock(url: url, interval: interval)
        do {
            try await clock.update()
        } catch {
            try? await clock.httpClient.shutdown()
            throw Failure(description: "cannot read the simulator's clock at \(url): \(error)")
        }
        return clock
    }

    private init(url: URL, interval: Duration) {
        self.url = url
        self.interval = interval
        let start = Date(timeIntervalSince1970: 0)
        reading = Mutex(Reading(simulated: start, real: .now, speed: 0, reported: start, wallClockError: 0))
    }

    /// The simulated time, never less than before, and the error of the box's clock.
    private var simulatedNow: (simulated: Date, wallClockError: TimeInterval) {
        reading.withLock { reading in
            let extrapolated = reading.simulated.addingTimeInterval((ContinuousClock.now - reading.real).seconds * reading.speed)
            reading.reported = max(reading.reported, extrapolated)
            return (reading.reported, reading.wallClockError)
        }
    }

    /// The box's wall clock: the simulated time as a clock that is off by the error shows it.
    var now: Date {
        let (simulated, error) = simulatedNow
        return simulated.addingTimeInterval(error)
    }

    /// The simulated time as a monotonic clock.
    var monotonicNow: ContinuousClock.Instant {
        Self.origin + .seconds(simulatedNow.simulated.timeIntervalSince1970)
    }

    /// A fixed instant of this process: the monotonic clock's zero stands for 1970.
    private static let origin = ContinuousClock.now

    /// Keeps reading the clock until cancelled; a failed read keeps the last one (and its speed).
    func follow() async {
        while !Task.isCancelled {
            try? await update()
            try? await Task.sleep(for: interval)
        }
        try? await httpClient.shutdown()
    }

    private func update() async throws {
        let response = try await httpClient.execute(HTTPClientRequest(url: url.absoluteString), timeout: .seconds(5))
        let body = try await response.body.collect(upTo: 1 << 16)
        let received = ContinuousClock.now
        guard response.status == .ok else { throw Failure(description: "HTTP \(response.status.code)") }
        let state = try JSONDecoder().decode(ClockState.self, from: Data(String(buffer: body).utf8))
        guard let simulated = ISO8601Timestamp.parse(state.now) else { throw Failure(description: "unreadable time `\(state.now)`") }
        reading.withLock { reading in
            reading.simulated = simulated
            reading.real = received
            reading.speed = max(0, state.speed)
            reading.wallClockError = state.bridgeClockErrorSeconds ?? 0
        }
    }
}

/// Follows the remote clock for as long as the bridge runs.
struct RemoteSimulatorClockService: Service {
    let clock: RemoteSimulatorClock

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await clock.follow()
        }
    }
}

private extension Duration {
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) * 1e-18
    }
}
