import Bridge
import Foundation
import Testing

@Suite("One request budget per login, shared by all its metering points")
struct LoginBudgetTests {
    private let start = quarterHour(4 * 24 * 10)
    private let meters = ["CH1008801234500000000000000000001", "CH1008801234500000000000000000002", "CH1008801234500000000000000000003"]

    @Test("Three metering points stretch the polls so that a day of them fits the login's 100 requests")
    func pollsStretch() {
        let policy = FetchPolicy()
        // 100 less 10 for core data and retries, less one per metering point (both ends of a day): 87
        // polls for three, every 86400 * 3 / 87 = 2979.3 s, rounded up.
        #expect(policy.effectivePollInterval(meteringPoints: 3) == .seconds(2_980))
        #expect(policy.effectivePollInterval(meteringPoints: 1) == .seconds(20 * 60))
        var planner = FetchPlanner(policy: policy)
        for meter in meters { planner.track(meter) }
        var issued: [FetchRequest] = []
        for minute in 0..<(24 * 60) {
            issued += planner.dueRequests(at: start.addingTimeInterval(Double(minute) * 60)) { _, _, to in
                to.addingTimeInterval(-900)
            }
        }
        // Within [0, 24 h): polls at 0, 2980 s (checked each minute: every 3000 s), ... : 29 each.
        #expect(issued.count == 3 * 29)
        for meter in meters { #expect(issued.count { $0.meteringPointId == meter } == 29) }
    }

    @Test("Requests the login sent elsewhere (core data, statistics, retries) stop the polls until they leave the 24 hours")
    func loginWideGuard() {
        var planner = FetchPlanner(policy: FetchPolicy())
        planner.track(meters[0])
        // 98 requests of the login in the hour before: the budget less the guard's 2 is spent.
        let sent = (0..<98).map { start.addingTimeInterval(-3_600 + Double($0)) }
        planner.noteRequestsSent(sent)
        #expect(planner.loginRequestCount(inDayBefore: start) == 98)
        #expect(planner.requestsLeft(at: start) == 0)
        #expect(planner.dueRequests(at: start) { _, _, to in to.addingTimeInterval(-900) }.isEmpty)
        // The oldest of them leaves the 24-hour window 23 hours from now.
        #expect(planner.nextDecisionDate(after: start) == sent[0].addingTimeInterval(86_400))
        let later = sent[0].addingTimeInterval(86_400)
        #expect(planner.dueRequests(at: later) { _, _, to in to.addingTimeInterval(-900) }.count == 1)
    }

    @Test("The login's requests survive a restart in the state, and old state files without them still load")
    func persisted() throws {
        var schedule = FetchSchedule()
        schedule.loginRequests = [start, start.addingTimeInterval(60)]
        let encoded = try JSONEncoder().encode(schedule)
        #expect(try JSONDecoder().decode(FetchSchedule.self, from: encoded).loginRequests == schedule.loginRequests)
        let old = try JSONDecoder().decode(FetchSchedule.self, from: Data(#"{"entries":{}}"#.utf8))
        #expect(old.loginRequests.isEmpty)
    }

    @Test("With client credentials each metering point's customer has a quota of its own: no stretching")
    func clientCredentialsBudgetPerMeteringPoint() {
        var configuration = BridgeConfiguration(stateDirectory: "/tmp/x")
        configuration.ckw.mode = .clientCredentials
        let backend = FetchPolicy(configuration)
        #expect(backend.effectivePollInterval(meteringPoints: 1_000) == .seconds(20 * 60))
        // A user's login, with or without a backend's app credentials, has one budget.
        for mode in [CKWMode.client, .backend] {
            configuration.ckw.mode = mode
            #expect(FetchPolicy(configuration).effectivePollInterval(meteringPoints: 1_000) > .seconds(86_400))
        }
        var planner = FetchPlanner(policy: backend)
        for meter in meters { planner.track(meter) }
        #expect(planner.requestsLeft(at: start) == 3 * 100 - 2)
    }
}
