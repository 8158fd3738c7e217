// `swift run -c release bridge-benchmark`: the bridge's memory and latency figures.
//
// (a) Memory of a real `ckw2mqtt run` (the binary given with `--binary PATH`, else the one built beside
//     this program) with one metering point in the steady state, with the simulator over plain HTTP and
//     over HTTPS (as CKW): anonymous memory (the target), PSS and VmRSS.
// (b) 1,000 metering points in backend mode over HTTPS: time from core data to the broker's
//     acknowledgement of every discovery config (in process), and the memory of `ckw2mqtt run`
//     in the steady state (child process).
// (c) Time from a meter data response to the broker's acknowledgement of its state, per poll.
import AsyncHTTPClient
import Bridge
import Foundation
import Logging
import Mosquitto
import OpenEnergy
import OpenEnergySimulator
import Synchronization
import TestSupport

var silent = Logger(label: "bench")
silent.logLevel = .critical
let broker = try await TestBroker.start()
var figures: [Figure] = []

@MainActor func report(_ figure: Figure) {
    print(figure.jsonLine)
    figures.append(figure)
}

/// The steady state's anonymous memory against its target (MB of 1,048,576 bytes); PSS and VmRSS
/// beside it, and VmRSS right after start-up, without targets.
@MainActor func reportMemory(_ name: String, startup: MemorySample, steady: MemorySample, anonymousTarget: Double) {
    func megabytes(_ kilobytes: Int) -> Double { Double(kilobytes) / 1024 }
    let anonymous = megabytes(steady.anonymous)
    report(Figure(name: "anon_\(name)", value: anonymous, unit: "MB", target: "<= \(Int(anonymousTarget))", met: anonymous <= anonymousTarget))
    report(Figure(name: "pss_\(name)", value: megabytes(steady.proportional), unit: "MB", target: "-", met: true))
    report(Figure(name: "rss_\(name)", value: megabytes(steady.resident), unit: "MB", target: "-", met: true))
    report(Figure(name: "rss_\(name)_startup", value: megabytes(startup.resident), unit: "MB", target: "-", met: true))
}

/// Access tokens live `accessTokenLifetime` (CKW's: minutes). The steady-state figures use a few
/// seconds, so that each measured poll renews the token as every poll between CKW's batches does.
func startSimulator(meters: Int, speed: Double, start: Date? = nil, tls: SimulatorConfiguration.TLS? = nil, accessTokenLifetime: Duration = .seconds(300)) async throws -> SimulatorServer {
    try await SimulatorServer.start(SimulatorConfiguration(
        autoApprove: true, tokenLifetimes: .init(accessToken: accessTokenLifetime), rateLimit: nil,
        population: .init(customers: 1, meteringPointsPerCustomer: meters),
        clockStart: start, clockSpeed: speed, tls: tls, logger: silent))
}

/// Shorter than the pauses between the measured polls (see `memory(of:...)`).
let steadyStateTokenLifetime = Duration.seconds(6)

/// Counts metering points whose state carries a total, as any subscriber sees them.
final class StateCounter: Sendable {
    private let topics = Mutex<Set<String>>([])
    private let messages = Mutex(0)
    let client: MQTTClient

    init(port: Int) async throws {
        client = try MQTTClient(configuration: .init(host: "127.0.0.1", port: port, clientID: "bench-\(UUID().uuidString.prefix(6))"))
        try client.start()
        let subscription = try await client.subscribe(to: "ckw2mqtt/+/state", bufferSize: 100_000)
        Task { [self] in
            for await message in subscription where message.payloadString.contains("\"energy_import_total\":") && !message.payloadString.contains("\"energy_import_total\":null") {
                _ = topics.withLock { $0.insert(message.topic) }
                messages.withLock { $0 += 1 }
            }
        }
    }

    var count: Int { topics.withLock { $0.count } }
    /// State messages received so far, repeats included.
    var messageCount: Int { messages.withLock { $0 } }

    func wait(for count: Int, timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        while self.count < count {
            guard ContinuousClock.now < deadline else { throw BenchmarkFailure("only \(self.count) of \(count) states arrived") }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}

func login(_ simulator: SimulatorServer, into directory: String, trusting caFile: String? = nil) async throws {
    let http = try OpenEnergyHTTP.makeHTTPClient(tls: OpenEnergyTLS(caFile: caFile))
    try await AutomaticLogin.login(
        client: OIDCClientConfiguration(issuer: OIDCIssuer(simulator.issuerURL), clientID: "ckw2mqtt"),
        store: TokenStore(directory: URL(fileURLWithPath: directory)), httpClient: http)
    try await http.shutdown()
}

/// Resident memory of a caught-up `ckw2mqtt run`: right after start-up, and in the steady state
/// between CKW's batches. The steady state is what stays after the daemon gave back its start-up
/// pages (10 s after catching up) and then served a poll that finds nothing new and a poll that
/// brings a batch (the simulator's clock moved past its next read), so the pages of the poll,
/// apply, publish and save paths are counted; sampled once that burst is over. Both polls renew
/// the access token first (the simulator's tokens live `steadyStateTokenLifetime`), as polls
/// hours apart do.
func memory(of bridge: BridgeProcess, simulator: SimulatorServer, counter: StateCounter, meters: Int) async throws -> (startup: MemorySample, steady: MemorySample) {
    let startup = try await bridge.memory(samples: 1)
    try await Task.sleep(for: .seconds(15))

    // A poll between batches: the refresh asks for the intervals since the last read; a marker
    // fault on the simulator shows that the request arrived.
    await simulator.controls.slowDown(1, by: .milliseconds(1))
    try await counter.client.publish(topic: "ckw2mqtt/bridge/request/refresh", payload: "", qos: .atLeastOnce)
    try await waitUntil("the refresh reached the simulator", timeout: .seconds(60)) { await simulator.controls.pendingFaults.isEmpty }
    try await Task.sleep(for: steadyStateTokenLifetime + .seconds(2))

    // A poll that brings a batch: new values for every metering point, published and saved.
    let messagesBefore = counter.messageCount
    simulator.clock.advance(by: .seconds(6 * 3600))
    try await counter.client.publish(topic: "ckw2mqtt/bridge/request/refresh", payload: "", qos: .atLeastOnce)
    try await waitUntil("the new batch's states arrived", timeout: .seconds(600)) { counter.messageCount >= messagesBefore + meters }
    // Past the burst: the daemon trims its heap a few seconds after the state is saved.
    try await Task.sleep(for: .seconds(10))

    return (startup, try await bridge.memory())
}

func waitUntil(_ what: String, timeout: Duration, _ condition: () async -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while !(await condition()) {
        guard ContinuousClock.now < deadline else { throw BenchmarkFailure("timed out waiting until \(what)") }
        try await Task.sleep(for: .milliseconds(50))
    }
}

@MainActor func measure() async throws {
    // MARK: (a) one metering point, `ckw2mqtt run`, over plain HTTP and over HTTPS as with CKW

    for https in [false, true] {
        let certificate = https ? try TestCertificates.generate() : nil
        let simulator = try await startSimulator(meters: 1, speed: 1, tls: certificate.map {
            SimulatorConfiguration.TLS(certificateChainFile: $0.serverCertificateFile, privateKeyFile: $0.serverKeyFile)
        }, accessTokenLifetime: steadyStateTokenLifetime)
        let directory = try TemporaryDirectory(prefix: "bridge-benchmark-rss-1").path
        try await login(simulator, into: directory, trusting: certificate?.caFile)
        let counter = try await StateCounter(port: broker.port)
        let bridge = try BridgeProcess(yaml: """
            mqtt: {host: 127.0.0.1, port: \(broker.port), client_id: bench-one}
            ckw: {issuer: "\(simulator.issuerURL.absoluteString)", api_base_url: "\(simulator.clientAPIBaseURL.absoluteString)", client_id: ckw2mqtt\(certificate.map { ", tls: {ca_file: \"\($0.caFile)\"}" } ?? "")}
            bridge: {state_directory: "\(directory)"}
            logging: {level: warning}
            """, directory: directory)
        try await counter.wait(for: 1, timeout: .seconds(60))
        let (startup, steady) = try await memory(of: bridge, simulator: simulator, counter: counter, meters: 1)
        reportMemory(https ? "run_1_meter_https" : "run_1_meter", startup: startup, steady: steady, anonymousTarget: 5)
        await bridge.stop()
        await counter.client.shutdown()
        await simulator.shutdown()
    }

    // MARK: (b) 1,000 metering points, backend mode, over HTTPS as with CKW

    let backendCertificate = try TestCertificates.generate()
    func backendYAML(_ simulator: SimulatorServer, directory: String, clientID: String) -> String {
        """
        mqtt: {host: 127.0.0.1, port: \(broker.port), client_id: \(clientID), offline_queue_limit: 10000}
        ckw:
          mode: client_credentials
          issuer: "\(simulator.issuerURL.absoluteString)"
          api_base_url: "\(simulator.backendAPIBaseURL.absoluteString)"
          client_id: \(SimulatorConfiguration.BackendApp().clientID)
          client_secret: \(SimulatorConfiguration.BackendApp().clientSecret)
          tls: {ca_file: "\(backendCertificate.caFile)"}
        bridge: {state_directory: "\(directory)"}
        logging: {level: warning}
        """
    }

    do {
        let simulator = try await startSimulator(meters: 1000, speed: 1, tls: SimulatorConfiguration.TLS(
            certificateChainFile: backendCertificate.serverCertificateFile, privateKeyFile: backendCertificate.serverKeyFile), accessTokenLifetime: steadyStateTokenLifetime)
        let directory = try TemporaryDirectory(prefix: "bridge-benchmark-discovery-1000").path
        let configuration = try ConfigurationLoader(environment: [:]).load(
            yaml: backendYAML(simulator, directory: directory, clientID: "bench-discovery"))
        let marks = Mutex<(coreData: ContinuousClock.Instant?, discovery: ContinuousClock.Instant?)>((nil, nil))
        let options = BridgeOptions(observer: { event in
            marks.withLock { marks in
                switch event.kind {
                case .coreDataApplied(1000) where marks.coreData == nil: marks.coreData = event.at
                case .discoveryAcknowledged(1000) where marks.discovery == nil: marks.discovery = event.at
                default: break
                }
            }
        })
        let service = try BridgeService(configuration: configuration, options: options, logger: silent)
        let task = Task { try await service.run() }
        let deadline = ContinuousClock.now + .seconds(60)
        while marks.withLock({ $0.discovery == nil }), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        task.cancel()
        try await task.value
        let (coreData, discovery) = marks.withLock { ($0.coreData, $0.discovery) }
        guard let coreData, let discovery else { throw BenchmarkFailure("the discovery of 1,000 metering points was not acknowledged within 60 s") }
        let seconds = (discovery - coreData).milliseconds / 1000
        report(Figure(name: "discovery_1000_meters", value: seconds, unit: "s", target: "<= 2", met: seconds <= 2))

        let processDirectory = try TemporaryDirectory(prefix: "bridge-benchmark-rss-1000").path
        let counter = try await StateCounter(port: broker.port)
        let bridge = try BridgeProcess(yaml: backendYAML(simulator, directory: processDirectory, clientID: "bench-rss-1000"), directory: processDirectory)
        try await counter.wait(for: 1000, timeout: .seconds(600))
        let (startup, steady) = try await memory(of: bridge, simulator: simulator, counter: counter, meters: 1000)
        reportMemory("run_1000_meters", startup: startup, steady: steady, anonymousTarget: 15)
        await bridge.stop()
        await counter.client.shutdown()
        await simulator.shutdown()
    }

    // MARK: (c) meter data response -> states acknowledged

    do {
        let simulator = try await startSimulator(meters: 1, speed: 0, start: Date(timeIntervalSince1970: 1_795_677_600))
        let directory = try TemporaryDirectory(prefix: "bridge-benchmark-latency").path
        try await login(simulator, into: directory)
        var configuration = try ConfigurationLoader(environment: [:]).load(yaml: """
            mqtt: {host: 127.0.0.1, port: \(broker.port), client_id: bench-latency}
            ckw: {issuer: "\(simulator.issuerURL.absoluteString)", api_base_url: "\(simulator.clientAPIBaseURL.absoluteString)", client_id: ckw2mqtt, api: {daily_request_limit: 1000}}
            bridge: {state_directory: "\(directory)", poll_interval: 15m}
            """)
        configuration.logging.level = .warning
        let latencies = Mutex<[Double]>([])
        let options = BridgeOptions(
            clock: PolledClock(slice: .milliseconds(5)) { simulator.clock.now },
            observer: { event in
                if case .statesAcknowledged(_, let since?) = event.kind { latencies.withLock { $0.append(since.milliseconds) } }
            })
        let service = try BridgeService(configuration: configuration, options: options, logger: silent)
        let task = Task { try await service.run() }
        let polls = 60
        for poll in 0..<polls {
            let deadline = ContinuousClock.now + .seconds(10)
            while latencies.withLock({ $0.count }) <= poll, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(2)) }
            simulator.clock.advance(by: .seconds(900))
        }
        task.cancel()
        try await task.value
        // The first sample includes the 3-day look-back; the rest are single new intervals, as in steady state.
        let samples = Array(latencies.withLock { $0 }.dropFirst())
        let median = samples.percentile(0.5)
        report(Figure(name: "response_to_states_ack_median", value: median, unit: "ms", target: "< 5", met: median < 5))
        report(Figure(name: "response_to_states_ack_p90", value: samples.percentile(0.9), unit: "ms", target: "-", met: true))
        await simulator.shutdown()
    }
}

do {
    try await measure()
} catch {
    await broker.shutdown()
    FileHandle.standardError.write(Data("bridge-benchmark failed: \(error)\n".utf8))
    exit(1)
}

await broker.shutdown()
print("")
print("| Figure | Value | Target | Met |")
print("|---|---|---|---|")
for figure in figures {
    print("| \(figure.name) | \(String(format: "%.2f", figure.value)) \(figure.unit) | \(figure.target) | \(figure.met ? "yes" : "no") |")
}
