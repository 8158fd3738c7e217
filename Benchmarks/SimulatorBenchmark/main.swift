// `swift run -c release simulator-benchmark [--requests N] [--concurrency C] [--runs R]`
//
// Starts the OpenEnergy simulator in-process, logs in through the authorization code flow (auto-approve,
// PKCE), then drives one-day meter data requests over real HTTP with AsyncHTTPClient: a fixed number of
// requests spread over C concurrent workers. Prints one JSON line per run, then a table of the medians.
import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import OpenEnergySimulator

struct Options {
    var requests = 20_000
    var concurrency = 32
    var runs = 3
    var warmup = 1_000

    init(arguments: [String]) throws {
        var iterator = arguments.dropFirst().makeIterator()
        while let argument = iterator.next() {
            guard let value = iterator.next().flatMap(Int.init), value > 0 else {
                throw BenchmarkError("\(argument) needs a positive number")
            }
            switch argument {
            case "--requests": requests = value
            case "--concurrency": concurrency = value
            case "--runs": runs = value
            case "--warmup": warmup = value
            default: throw BenchmarkError("unknown option \(argument)")
            }
        }
    }
}

struct BenchmarkError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

struct RunResult: Encodable {
    let benchmark = "simulator_meterdata_one_day"
    let run: Int
    let requests: Int
    let concurrency: Int
    let seconds: Double
    let requestsPerSecond: Double
    let p50Milliseconds: Double
    let p99Milliseconds: Double

    enum CodingKeys: String, CodingKey {
        case benchmark, run, requests, concurrency, seconds
        case requestsPerSecond = "requests_per_second"
        case p50Milliseconds = "p50_ms"
        case p99Milliseconds = "p99_ms"
    }
}

/// Hands out request numbers to the workers.
actor Counter {
    private var next = 0
    let limit: Int
    init(limit: Int) { self.limit = limit }
    func take() -> Int? {
        guard next < limit else { return nil }
        defer { next += 1 }
        return next
    }
}

func base64URL(_ data: some Sequence<UInt8>) -> String {
    Data(data).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        .replacingOccurrences(of: "=", with: "")
}

/// The authorization code flow with PKCE against the auto-approving simulator.
func login(_ client: HTTPClient, _ sim: SimulatorServer) async throws -> String {
    let verifier = base64URL((0..<32).map { _ in UInt8.random(in: 0...255) })
    let challenge = base64URL(SHA256.hash(data: Data(verifier.utf8)))
    let redirect = "http://127.0.0.1:1/callback"
    let authorize = HTTPClientRequest(
        url: "\(sim.issuerURL.absoluteString)/protocol/openid-connect/auth?client_id=ckw2mqtt&response_type=code"
            + "&scope=openid%20offline_access&state=bench&nonce=bench&code_challenge=\(challenge)&code_challenge_method=S256"
            + "&redirect_uri=\(redirect.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)"
    )
    let redirected = try await client.execute(authorize, timeout: .seconds(10))
    guard let location = redirected.headers.first(name: "location"),
        let code = URLComponents(string: location)?.queryItems?.first(where: { $0.name == "code" })?.value
    else { throw BenchmarkError("the simulator did not redirect with a code (status \(redirected.status))") }

    var token = HTTPClientRequest(url: sim.issuerURL.absoluteString + "/protocol/openid-connect/token")
    token.method = .POST
    token.headers.add(name: "content-type", value: "application/x-www-form-urlencoded")
    let form = [
        "grant_type=authorization_code", "client_id=ckw2mqtt", "code=\(code)", "code_verifier=\(verifier)",
        "redirect_uri=\(redirect.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)",
    ].joined(separator: "&")
    token.body = .bytes(ByteBuffer(string: form))
    let response = try await client.execute(token, timeout: .seconds(10))
    let body = try await response.body.collect(upTo: 1 << 20)
    guard let json = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any],
        let accessToken = json["access_token"] as? String
    else { throw BenchmarkError("no access token: \(String(buffer: body))") }
    return accessToken
}

/// One-day request number `index`: a different local day each time, so nothing is served from a cache.
func meterDataURL(_ sim: SimulatorServer, meteringPointId: String, index: Int) -> String {
    let day = 20_454 - index % 365  // local days counting back from 2026-01-01 (CET, so midnight is 23:00Z)
    let from = Date(timeIntervalSince1970: TimeInterval(day * 86400 - 3600))
    let to = from.addingTimeInterval(86400)
    let format = Date.ISO8601FormatStyle()
    return sim.clientAPIBaseURL.absoluteString
        + "v1/meterdata/\(meteringPointId)?from=\(from.formatted(format))&to=\(to.formatted(format))"
}

func run(number: Int, requests: Int, options: Options, client: HTTPClient, sim: SimulatorServer, token: String) async throws -> RunResult {
    let meteringPointId = sim.catalog.meteringPoint(at: 0).id
    let counter = Counter(limit: requests)
    let clock = ContinuousClock()
    let started = clock.now
    let latencies = try await withThrowingTaskGroup(of: [Duration].self) { group in
        for _ in 0..<options.concurrency {
            group.addTask {
                var latencies = [Duration]()
                while let index = await counter.take() {
                    var request = HTTPClientRequest(url: meterDataURL(sim, meteringPointId: meteringPointId, index: index))
                    request.headers.add(name: "authorization", value: "Bearer \(token)")
                    let sent = clock.now
                    let response = try await client.execute(request, timeout: .seconds(30))
                    let body = try await response.body.collect(upTo: 1 << 22)
                    latencies.append(clock.now - sent)
                    guard response.status == .ok, body.readableBytes > 10_000 else {
                        throw BenchmarkError("request \(index) answered \(response.status) with \(body.readableBytes) bytes")
                    }
                }
                return latencies
            }
        }
        return try await group.reduce(into: [Duration]()) { $0 += $1 }
    }
    let elapsed = clock.now - started
    let sorted = latencies.sorted()
    func percentile(_ p: Double) -> Double {
        let duration = sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.down)))]
        return Double(duration.components.attoseconds) / 1e15 + Double(duration.components.seconds) * 1000
    }
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    return RunResult(
        run: number,
        requests: requests,
        concurrency: options.concurrency,
        seconds: seconds,
        requestsPerSecond: Double(requests) / seconds,
        p50Milliseconds: percentile(0.5),
        p99Milliseconds: percentile(0.99)
    )
}

func benchmark() async throws {
    let options = try Options(arguments: CommandLine.arguments)
    // Rate limiting off: the benchmark measures the server, not the quota.
    let sim = try await SimulatorServer.start(SimulatorConfiguration(autoApprove: true, rateLimit: nil))
    var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
    configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: options.concurrency)
    let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    do {
        let token = try await login(client, sim)
        _ = try await run(number: 0, requests: options.warmup, options: options, client: client, sim: sim, token: token)
        var results = [RunResult]()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        for number in 1...options.runs {
            let result = try await run(number: number, requests: options.requests, options: options, client: client, sim: sim, token: token)
            results.append(result)
            print(String(decoding: try encoder.encode(result), as: UTF8.self))
        }
        func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
        print("")
        print("| benchmark | requests | concurrency | req/s (median) | p50 ms | p99 ms |")
        print("|---|---:|---:|---:|---:|---:|")
        print(
            String(
                format: "| meter data, one day (4 series) | %d | %d | %.0f | %.2f | %.2f |",
                options.requests, options.concurrency,
                median(results.map(\.requestsPerSecond)), median(results.map(\.p50Milliseconds)), median(results.map(\.p99Milliseconds))
            )
        )
        try await client.shutdown()
        await sim.shutdown()
    } catch {
        try? await client.shutdown()
        await sim.shutdown()
        throw error
    }
}

try await benchmark()
