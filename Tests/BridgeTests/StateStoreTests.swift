import Bridge
import EnergyDomain
import Foundation
import Synchronization
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A state with `meters` metering points, so states of different sizes are easy to tell apart.
func sampleState(meters: Int, seed: Int = 0) -> SavedBridgeState {
    var ledger = MeterLedger(retention: MeterLedger.retention(forLookback: .seconds(3 * 86_400)))
    var planner = FetchPlanner(policy: FetchPolicy())
    for index in 0..<meters {
        let id = "CH10088012345000000000000000" + String(format: "%05d", index)
        ledger.track(id, adding: [.consumption, .production])
        ledger.apply(intervals: (0..<96).map { reading($0, Double(($0 + seed) % 7) / 10) }, direction: .consumption, meteringPointId: id)
        ledger.apply(intervals: (0..<96).map { reading($0, Double($0 % 3) / 10, .estimated) }, direction: .production, meteringPointId: id)
        ledger.apply(registers: [RegisterReading(timestamp: quarterHour(0), kilowattHours: 1000 + Double(seed))], direction: .consumption, meteringPointId: id)
        planner.track(id)
    }
    _ = planner.dueRequests(at: quarterHour(100), ledger: ledger)
    return SavedBridgeState(ledger: ledger, schedule: planner.schedule, lastSuccessfulFetch: quarterHour(100 + seed))
}

@Suite("StateStore: atomic, versioned, loud about damage")
struct StateStoreTests {
    @Test("A first start has no state; a saved state loads back identically")
    func roundTrip() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = StateStore(directory: directory.file("state"))
        #expect(try store.load() == nil)
        let state = sampleState(meters: 2)
        try store.save(state)
        #expect(try store.load() == state)
    }

    @Test("The directory is created 0700 and the file written 0600")
    func permissions() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = StateStore(directory: directory.file("nested/state"))
        try store.save(sampleState(meters: 1))
        #expect(try mode(of: store.directory) == 0o700)
        #expect(try mode(of: store.filePath) == 0o600)
    }

    @Test("Every save keeps the previous state as state.json.previous")
    func previousKept() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = StateStore(directory: directory.path)
        let first = sampleState(meters: 1, seed: 1), second = sampleState(meters: 1, seed: 2)
        try store.save(first)
        #expect(!FileManager.default.fileExists(atPath: store.previousFilePath))
        try store.save(second)
        #expect(try store.load() == second)
        #expect(try StateStore(directory: directory.path).loadPrevious() == first)
        #expect(try mode(of: store.previousFilePath) == 0o600)
    }

    @Test("A damaged file stops with the file, the problem and what to do; it is never replaced", arguments: [
        ("", "the file is empty"),
        ("{\"schemaVersion\": 1, \"writtenAt\": 0, \"state\": {\"ledger\"", "it is not valid JSON"),
        ("{\"schemaVersion\": 1, \"writtenAt\": 0, \"state\": {\"schedule\": {\"entries\": {}}}}", "`ledger` is missing at `state`"),
        ("[1, 2, 3]", "unexpected value"),
        ("{\"schemaVersion\": 0, \"writtenAt\": 0, \"state\": {}}", "unknown state schema version 0"),
    ])
    func damagedFile(contents: String, expectedProblem: String) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = StateStore(directory: directory.path)
        try store.save(sampleState(meters: 1))
        try store.save(sampleState(meters: 1, seed: 3))
        try contents.write(toFile: store.filePath, atomically: false, encoding: .utf8)
        let error = try #require(throws: StateStoreError.self) { try store.load() }
        guard case .damaged(let file, let problem, let previous) = error else {
            Issue.record("expected .damaged, got \(error)")
            return
        }
        #expect(file == store.filePath)
        #expect(problem.contains(expectedProblem), "\(problem)")
        #expect(previous == store.previousFilePath)
        #expect(error.description.contains("mv \(store.previousFilePath) \(store.filePath)"))
        #expect(error.description.contains("mv \(store.filePath) \(store.filePath).damaged"))
        // Still the damaged content: nothing was silently replaced.
        #expect(try String(contentsOfFile: store.filePath, encoding: .utf8) == contents)
    }

    @Test("A damaged ledger inside a well-formed file is reported with its position")
    func damagedLedger() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = StateStore(directory: directory.path)
        try store.save(sampleState(meters: 1))
        let text = try String(contentsOfFile: store.filePath, encoding: .utf8)
        try text.replacingOccurrences(of: "\"quality\":\"", with: "\"quality\":\"?").write(toFile: store.filePath, atomically: false, encoding: .utf8)
        let error = try #require(throws: StateStoreError.self) { try store.load() }
        #expect(error.description.contains("state.ledger.meteringPoints[0].series"), "\(error)")
    }

    @Test("A file from a newer schema is refused, naming both versions")
    func newerSchema() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = StateStore(directory: directory.path)
        try #"{"schemaVersion": 7, "writtenAt": 0, "state": {"somethingNew": true}}"#.write(toFile: store.filePath, atomically: false, encoding: .utf8)
        let error = try #require(throws: StateStoreError.self) { try store.load() }
        #expect(error == .newerSchema(file: store.filePath, found: 7, supported: SavedBridgeState.schemaVersion))
        #expect(error.description.contains("newer ckw2mqtt (state schema 7; this version reads up to 1)"))
    }

    @Test("state.json missing next to state.json.previous is an error, not a first start")
    func missingWithPrevious() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = StateStore(directory: directory.path)
        try store.save(sampleState(meters: 1))
        try store.save(sampleState(meters: 2))
        try FileManager.default.removeItem(atPath: store.filePath)
        let error = try #require(throws: StateStoreError.self) { try store.load() }
        #expect(error == .missingWithPrevious(file: store.filePath, previousFile: store.previousFilePath))
    }

    @Test("A state file that cannot be read is reported as such")
    func unreadable() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = StateStore(directory: directory.path)
        try FileManager.default.createDirectory(atPath: store.filePath, withIntermediateDirectories: false)
        let error = try #require(throws: StateStoreError.self) { try store.load() }
        guard case .unreadable(let file, let reason) = error else {
            Issue.record("expected .unreadable, got \(error)")
            return
        }
        #expect(file == store.filePath)
        #expect(reason.contains("directory"), "\(reason)")
    }

    @Test("A read-only state directory gives a clear error and leaves the old file intact")
    func readOnlyDirectory() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = StateStore(directory: directory.file("state"))
        let old = sampleState(meters: 1)
        try store.save(old)
        let protection = try ReadOnlyDirectory(store.directory)
        defer { protection.undo() }
        let error = try #require(throws: StateStoreError.self) { try store.save(sampleState(meters: 3)) }
        guard case .writeFailed(let reportedDirectory, let reason) = error else {
            Issue.record("expected .writeFailed, got \(error)")
            return
        }
        #expect(reportedDirectory == store.directory)
        #expect(reason.contains("cannot create a file in \(store.directory)"), "\(reason)")
        #expect(error.description.contains("The previous state file is unchanged"))
        protection.undo()
        #expect(try store.load() == old)
        #expect(try FileManager.default.contentsOfDirectory(atPath: store.directory).sorted() == ["state.json"])
    }

    @Test("A write interrupted by a crash leaves the old state; its leftovers are cleaned up by the next save")
    func crashLeftovers() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = StateStore(directory: directory.path)
        let old = sampleState(meters: 1)
        try store.save(old)
        // What a crash after writing half of the temporary file leaves behind.
        let full = try String(contentsOfFile: store.filePath, encoding: .utf8)
        try String(full.prefix(full.count / 2)).write(toFile: directory.file(".state.json.tmp-999-1"), atomically: false, encoding: .utf8)
        #expect(try store.load() == old)
        try store.save(sampleState(meters: 2))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == ["state.json", "state.json.previous"])
    }

    @Test("A reader running during many saves always sees a complete old or new state")
    func atomicReplacement() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = StateStore(directory: directory.path)
        let states = (1...30).map { sampleState(meters: $0 % 6 + 1, seed: $0) }
        try store.save(states[0])
        let writing = SharedFlag(true)
        let reads = try await withThrowingTaskGroup(of: Int.self) { group in
            group.addTask {
                defer { writing.set(false) }
                for state in states.dropFirst() { try store.save(state) }
                return 0
            }
            group.addTask {
                var count = 0
                while writing.value || count == 0 {
                    let loaded = try store.load()
                    #expect(loaded.map { states.contains($0) } == true)
                    count += 1
                }
                return count
            }
            return try await group.reduce(0, +)
        }
        #expect(reads > 0)
        #expect(try store.load() == states.last)
    }
}

extension StateStore {
    /// The backup, read through a store pointed at a copy named `state.json`.
    func loadPrevious() throws -> SavedBridgeState? {
        let copy = try TemporaryDirectory()
        defer { copy.remove() }
        try FileManager.default.copyItem(atPath: previousFilePath, toPath: copy.file(Self.fileName))
        return try StateStore(directory: copy.path).load()
    }
}

private func mode(of path: String) throws -> Int {
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    return (attributes[.posixPermissions] as? Int ?? -1) & 0o777
}

/// Makes a directory unwritable. Permissions do not stop root, so as root the immutable
/// attribute is used instead (`chattr`, Debian package e2fsprogs).
private struct ReadOnlyDirectory {
    let path: String
    let usesImmutableAttribute: Bool

    init(_ path: String) throws {
        self.path = path
        usesImmutableAttribute = geteuid() == 0
        if usesImmutableAttribute {
            try Self.chattr("+i", path)
        } else {
            try FileManager.default.setAttributes([.posixPermissions: 0o500], ofItemAtPath: path)
        }
    }

    func undo() {
        if usesImmutableAttribute {
            try? Self.chattr("-i", path)
        } else {
            try? FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: path)
        }
    }

    private static func chattr(_ flag: String, _ path: String) throws {
        let executable = ["/usr/bin/chattr", "/bin/chattr"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let executable else {
            throw TestEnvironmentError("running as root needs `chattr` (Debian package e2fsprogs) to make a directory read-only")
        }
        let (status, _) = try ChildProcess.runBlocking(executable, [flag, path])
        guard status == 0 else {
            throw TestEnvironmentError("`chattr \(flag) \(path)` failed; the file system must support the immutable attribute when tests run as root")
        }
    }
}

/// A flag one task sets and another polls.
final class SharedFlag: Sendable {
    private let storage: Mutex<Bool>
    init(_ value: Bool) { storage = Mutex(value) }
    var value: Bool { storage.withLock { $0 } }
    func set(_ value: Bool) { storage.withLock { $0 = value } }
}

struct TestEnvironmentError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
