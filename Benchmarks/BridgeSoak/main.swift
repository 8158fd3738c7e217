// `swift run -c release bridge-soak --days 30`: the real `ckw2mqtt run` through simulated weeks.
//
// The simulator runs in this process with a fast clock that the daemon follows
// (`--simulator-clock`); a private mosquitto without persistence. Every `--fault-every-hours`
// simulated hours one fault, in turn: the broker crashes (SIGKILL) and returns empty after a
// moment, a burst of 503s, a burst of 429s with rate-limit headers, a burst of bare 429s. At the end
// of every simulated day the daemon's resident memory, file descriptors and threads are sampled.
// A leak shows in anonymous memory (heap, stacks); the mapped code pages come and go (the daemon
// gives back its start-up pages once caught up, rarely used paths fault back in), so they are
// reported but not judged.
// Every state message the daemon publishes is recorded (`mosquitto_sub` for the whole run), and at the
// end every quarter hour of the run is checked against the simulator's generator (see
// `IntervalAudit`); the clock stops and the retained state of every metering point must equal the
// generator's figures. `--omit-interval-at-hour H` makes the simulator leave out, for good, the
// quarter hour H simulated hours into the run, which the audit must then find missing.
// Prints one JSON object; exits 1 when a check fails.
import AsyncHTTPClient
import Bridge
import Foundation
import Logging
import OpenEnergy
import OpenEnergySimulator
import TestSupport

struct Options {
    var days = 30
    /// Simulated seconds per real second.
    var speed = 7_200.0
    var meters = 1
    var faultEveryHours = 12
    /// Simulated hours into the run of a quarter hour the simulator never delivers (a check of the check).
    var omitIntervalAtHour: Int?

    init(_ arguments: [String]) throws {
        var iterator = arguments.makeIterator()
        while let argument = iterator.next() {
            guard let value = iterator.next() else { throw SoakFailure("\(argument) needs a value") }
            switch argument {
            case "--days": days = Int(value) ?? 0
            case "--speed": speed = Double(value) ?? 0
            case "--meters": meters = Int(value) ?? 0
            case "--fault-every-hours": faultEveryHours = Int(value) ?? 0
            case "--omit-interval-at-hour": omitIntervalAtHour = Int(value) ?? -1
            default:
                throw SoakFailure("unknown option \(argument); options: --days N --speed S --meters M --fault-every-hours H --omit-interval-at-hour H")
            }
        }
        guard days >= 1, speed > 0, speed <= 100_000, (1...100).contains(meters), faultEveryHours >= 1,
            omitIntervalAtHour.map({ (1..<days * 24).contains($0) }) ?? true
        else {
            throw SoakFailure("--days >= 1, 0 < --speed <= 100000, --meters 1...100, --fault-every-hours >= 1, 1 <= --omit-interval-at-hour < days * 24")
        }
    }
}

enum Fault: String, CaseIterable {
    case brokerCrash = "broker_crash"
    case serverErrors = "server_error_burst"
    case rateLimitedWithHeaders = "rate_limit_burst_with_headers"
    case rateLimitedBare = "rate_limit_burst_without_headers"
}

/// Progress for the person watching; stdout carries only the JSON result.
func progress(_ text: String) {
    FileHandle.standardError.write(Data("bridge-soak: \(text)\n".utf8))
}

/// The retained state of each metering point as a new subscriber gets it (`mosquitto_sub`, a
/// client we did not write).
func retainedStates(port: Int, ids: [String]) async throws -> [String: String] {
    let executable = try RequiredProgram.path("mosquitto_sub", package: "mosquitto-clients")
    // One filter per metering point: `ckw2mqtt/+/state` would also match `ckw2mqtt/bridge/state`.
    let (_, output) = try await ChildProcess.run(
        executable, ["-h", "127.0.0.1", "-p", "\(port)", "--retained-only", "-C", "\(ids.count)", "-W", "3", "-F", "%t %p"]
            + ids.flatMap { ["-t", "ckw2mqtt/\($0)/state"] },
        discardingStandardError: true)
    var states: [String: String] = [:]
    for line in output.split(separator: "\n") {
        guard let space = line.firstIndex(of: " ") else { continue }
        states[String(line[..<space])] = String(line[line.index(after: space)...])
    }
    return states
}

@MainActor
func soak(_ options: Options) async throws -> [String: Any] {
    var silent = Logger(label: "soak")
    silent.logLevel = .critical
    let workDirectory = try TemporaryDirectory(prefix: "bridge-soak-run").path
    defer { try? FileManager.default.removeItem(atPath: workDirectory) }
    let stateDirectory = workDirectory + "/state"
    try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])

    let start = Date(timeIntervalSince1970: 1_795_677_600)  // 2026-11-26T07:20:00Z
    let simulator = try await SimulatorServer.start(SimulatorConfiguration(
        autoApprove: true, rateLimit: nil, population: .init(customers: 1, meteringPointsPerCustomer: options.meters),
        delivery: .immediate, clockStart: start, clockSpeed: 0, logger: silent))
    let broker = try await TestBroker.start()
    let truth = SimulatorTruth(simulator: simulator)
    let ids = truth.meteringPointIds

    // The daemon's own login, as `ckw2mqtt login` leaves it.
    let http = OpenEnergyHTTP.makeHTTPClient()
    try await AutomaticLogin.login(
        client: OIDCClientConfiguration(issuer: OIDCIssuer(simulator.issuerURL), clientID: "ckw2mqtt"),
        store: TokenStore(directory: URL(fileURLWithPath: stateDirectory)), httpClient: http)
    try await http.shutdown()

    let daemon = try SoakDaemon(stateDirectory: stateDirectory, brokerPort: broker.port, simulator: simulator)
    do {
        let result = try await run(options, start: start, simulator: simulator, broker: broker, truth: truth, ids: ids, daemon: daemon)
        await daemon.stop()
        await broker.shutdown()
        await simulator.shutdown()
        return result
    } catch {
        await daemon.stop()
        await broker.shutdown()
        await simulator.shutdown()
        throw error
    }
}

@MainActor
func run(
    _ options: Options, start: Date, simulator: SimulatorServer, broker: TestBroker, truth: SimulatorTruth, ids: [String],
    daemon: SoakDaemon
) async throws -> [String: Any] {

    // Settled on the look-back before time starts running.
    progress("ckw2mqtt run started (pid \(daemon.pid)); waiting for the look-back to be published")
    let settled = try await waitForTruth(port: broker.port, truth: truth, ids: ids, now: simulator.clock.now, timeout: .seconds(120))
    guard settled.isEmpty else { throw SoakFailure("the look-back was not published: \(settled); ckw2mqtt log:\n\(daemon.logTail)") }
    // From the settled state on, every state message is recorded; the run accounts for every quarter
    // hour from the settled state's interval on.
    let firstInterval = SimulatorTruth.quarterHour(atOrBefore: simulator.clock.now) - 900
    // Killed when released, also when the run fails half-way.
    let observer = try StateObserver(port: broker.port, ids: ids)
    let observing = ContinuousClock.now
    while Set(observer.messages.map(\.topic)).count < ids.count {
        guard ContinuousClock.now - observing < .seconds(10) else { throw SoakFailure("mosquitto_sub got no retained state within 10 s") }
        try await Task.sleep(for: .milliseconds(50))
    }
    if let hour = options.omitIntervalAtHour {
        let omitted = Date(timeIntervalSince1970: TimeInterval(firstInterval + hour * 3600))
        await simulator.controls.omitInterval(startingAt: omitted)
        progress("the simulator leaves out the quarter hour from \(omitted) (--omit-interval-at-hour)")
    }
    progress("running \(options.days) simulated days at \(Int(options.speed))x")
    let realStart = ContinuousClock.now
    simulator.clock.setSpeed(options.speed)

    var faults: [String: Int] = [:]
    var samples: [ProcessSample] = []
    var nextDay = 1
    var nextFault = 1
    let end = start.addingTimeInterval(Double(options.days) * 86_400)
    while simulator.clock.now < end {
        guard daemon.isRunning else { throw SoakFailure("ckw2mqtt exited; see its log:\n\(daemon.logTail)") }
        guard observer.isRunning else { throw SoakFailure("mosquitto_sub, which records the state messages, exited") }
        let elapsedHours = Int(simulator.clock.now.timeIntervalSince(start) / 3600)
        if elapsedHours >= nextDay * 24 {
            guard let sample = ProcessSample(pid: daemon.pid) else { throw SoakFailure("cannot read /proc/\(daemon.pid)") }
            samples.append(sample)
            progress("day \(nextDay): rss \(sample.residentKilobytes) kB (anonymous \(sample.anonymousKilobytes) kB), \(sample.fileDescriptors) fds, \(sample.threads) threads")
            nextDay += 1
        }
        if elapsedHours >= nextFault * options.faultEveryHours {
            let fault = Fault.allCases[(nextFault - 1) % Fault.allCases.count]
            switch fault {
            case .brokerCrash:
                await broker.stop(signal: SIGKILL)
                try await Task.sleep(for: .milliseconds(Int.random(in: 100...1_500)))
                try await broker.restart()
            case .serverErrors:
                await simulator.controls.failNextRequests(3, status: 503)
            case .rateLimitedWithHeaders:
                await simulator.controls.tooManyRequests(2, withHeaders: true, reset: .seconds(1))
            case .rateLimitedBare:
                await simulator.controls.tooManyRequests(2, withHeaders: false)
            }
            faults[fault.rawValue, default: 0] += 1
            nextFault += 1
        }
        try await Task.sleep(for: .milliseconds(20))
    }
    simulator.clock.setSpeed(0)
    let realSeconds = (ContinuousClock.now - realStart).components.seconds
    // The daemon polls every 20 simulated minutes (the default): with the clock stopped, intervals
    // completed since its last poll would never be fetched. And it extrapolates the clock between
    // reads (every 50 ms, later on a loaded machine) without ever going back, so it may be ahead of
    // the stopped clock by the speed times that lag. A poll interval plus two real seconds' worth
    // later, one more poll is due, and it sees everything up to an instant that no longer moves.
    simulator.clock.advance(by: FetchPolicy().pollInterval + .seconds(2 * options.speed))
    let finalNow = simulator.clock.now
    progress("clock stopped after \(realSeconds) s; checking the retained states against the simulator's data")

    // The retained states equal the generator's figures once the daemon caught up. A fault injected
    // shortly before the end is the daemon's to meet (on its last poll) before that.
    await waitUntilFaultsAreUsedUp(simulator, timeout: .seconds(60))
    let mismatches = try await waitForTruth(port: broker.port, truth: truth, ids: ids, now: finalNow, timeout: .seconds(60))
    // Measured like the daily samples: settled, broker connected, nothing in flight. Idle worker
    // threads of the global pool come and go; a leak stays. So the fewest threads and descriptors of
    // five samples half a second apart count (a short run has only one daily sample to compare with).
    try await Task.sleep(for: .seconds(2))
    var endSamples: [ProcessSample] = []
    for _ in 0..<5 {
        if let sample = ProcessSample(pid: daemon.pid) { endSamples.append(sample) }
        try await Task.sleep(for: .milliseconds(500))
    }
    guard var last = endSamples.last, let first = samples.first else { throw SoakFailure("no samples") }
    last.threads = endSamples.map(\.threads).min()!
    last.fileDescriptors = endSamples.map(\.fileDescriptors).min()!
    last.anonymousKilobytes = endSamples.map(\.anonymousKilobytes).min()!
    // Floors on both sides, so that a sample taken in a burst of work (before the heap is trimmed)
    // neither hides nor fakes growth; growth counts from 1 MB or 10 %, whichever is more.
    let baseline = samples.map(\.anonymousKilobytes).min()!
    let growth = last.anonymousKilobytes - baseline
    let drift = Double(growth) / Double(baseline) * 100
    let memoryLeak = growth > max(1024, baseline / 10)
    let expected = truth.expected(for: ids[0], now: finalNow)
    let shown = try await retainedStates(port: broker.port, ids: ids)["ckw2mqtt/\(ids[0])/state"].flatMap(SimulatorTruth.shown)
    // Every quarter hour of the run, one by one, from every state message published.
    let audit = IntervalAudit(
        messages: observer.messages, truth: truth, ids: ids, from: firstInterval, to: SimulatorTruth.quarterHour(atOrBefore: finalNow))
    await observer.stop()
    let fdLeak = last.fileDescriptors > samples.map(\.fileDescriptors).min()! + 2
    let threadLeak = last.threads > samples.map(\.threads).max()!
    let intervalsRight = audit.problems.isEmpty && audit.figures.missing == 0 && audit.figures.duplicated == 0
    let passed = mismatches.isEmpty && intervalsRight && !memoryLeak && !fdLeak && !threadLeak

    return [
        "simulated_days": options.days, "speed": options.speed, "real_seconds": realSeconds, "meters": options.meters,
        "faults": faults, "fault_count": faults.values.reduce(0, +),
        "rss_kb_after_day_1": first.residentKilobytes, "rss_kb_end": last.residentKilobytes,
        "rss_kb_max": samples.map(\.residentKilobytes).max()!,
        "anonymous_kb_lowest_daily": baseline, "anonymous_kb_end": last.anonymousKilobytes,
        "anonymous_kb_max": samples.map(\.anonymousKilobytes).max()!, "anonymous_drift_percent": (drift * 10).rounded() / 10,
        "fds_after_day_1": first.fileDescriptors, "fds_end": last.fileDescriptors, "fds_max": samples.map(\.fileDescriptors).max()!,
        "threads_after_day_1": first.threads, "threads_end": last.threads, "threads_max": samples.map(\.threads).max()!,
        "intervals_per_meter": Int(finalNow.timeIntervalSince(start) / 900),
        "intervals": audit.figures.json, "intervals_by_meter_and_direction": audit.figuresByMeter.mapValues(\.json),
        "interval_problems": audit.problems, "state_messages_checked": audit.messagesChecked,
        "import_total_wh": shown?.importWh ?? -1, "expected_import_total_wh": expected.importWh,
        "export_total_wh": shown?.exportWh ?? -1, "expected_export_total_wh": expected.exportWh ?? -1,
        "mismatches": mismatches, "passed": passed,
    ]
}

/// Waits until the daemon has met every injected fault; clears what is left after `timeout` (a fault
/// nobody met cannot hide a lost interval, the comparison that follows would still find it).
func waitUntilFaultsAreUsedUp(_ simulator: SimulatorServer, timeout: Duration) async {
    let deadline = ContinuousClock.now + timeout
    while !(await simulator.controls.pendingFaults.isEmpty) {
        guard ContinuousClock.now < deadline else {
            progress("faults not met by the daemon within \(timeout), cleared")
            await simulator.controls.clearFaults()
            return
        }
        try? await Task.sleep(for: .milliseconds(50))
    }
}

/// Waits until every retained state equals the simulator's data at `now`; returns what still differs.
@discardableResult
func waitForTruth(port: Int, truth: SimulatorTruth, ids: [String], now: Date, timeout: Duration) async throws -> [String] {
    var expected: [String: SimulatorTruth.Expected] = [:]
    for id in ids { expected[id] = truth.expected(for: id, now: now) }
    let deadline = ContinuousClock.now + timeout
    while true {
        let states = try await retainedStates(port: port, ids: ids)
        let mismatches = ids.compactMap { id -> String? in
            let shown = states["ckw2mqtt/\(id)/state"].flatMap(SimulatorTruth.shown)
            return shown == expected[id] ? nil : "\(id): shown \(shown.map(String.init(describing:)) ?? states["ckw2mqtt/\(id)/state"] ?? "nothing"), expected \(expected[id]!)"
        }
        if mismatches.isEmpty || ContinuousClock.now >= deadline { return mismatches }
        try await Task.sleep(for: .milliseconds(500))
    }
}

// Libraries log (the login, the API client) to stderr, and only what matters.
LoggingSystem.bootstrap { label in
    var handler = StreamLogHandler.standardError(label: label)
    handler.logLevel = .warning
    return handler
}
do {
    let options = try Options(Array(CommandLine.arguments.dropFirst()))
    let result = try await soak(options)
    let json = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
    print(String(decoding: json, as: UTF8.self))
    exit(result["passed"] as? Bool == true ? 0 : 1)
} catch {
    FileHandle.standardError.write(Data("bridge-soak failed: \(error)\n".utf8))
    exit(1)
}

struct SoakFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
