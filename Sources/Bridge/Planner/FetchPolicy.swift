import Foundation

/// The default schedule policy and its budget arithmetic.
///
/// CKW reads meters a few times a day and publishes the values in batches, hours late. The policy:
/// one request per metering point every `pollInterval` (20 minutes: 72 a day), the daily
/// correction sweep riding on one of those polls (it widens the range to the whole look-back
/// rather than adding a request), and refresh commands served from what the budget leaves over.
///
/// - Budget: `dailyRequestBudget` is per login (the quota is per user), shared by all its
///   metering points, core data, retries and the statistics import. With several metering points
///   the polls stretch (`effectivePollInterval`) so that they fit the budget less `loginReserve`;
///   the planner also stops issuing requests when the login's count of the last 24 hours reaches
///   the budget less `guardReserve`, whatever sent them.
/// - Latency: a new batch is fetched by the next request, which is never more than
///   the effective poll interval away (`maximumBatchDelay`).
public struct FetchPolicy: Sendable, Equatable {
    public static let defaultDailyRequestBudget = 100
    /// 100 requests a day allow one every 14.4 minutes; 15 keeps the grid and leaves room for refreshes.
    public static let shortestPollInterval: Duration = .seconds(15 * 60)
    /// Polls may be hours apart (a household that looks once a day); a day is the longest.
    public static let longestPollInterval: Duration = .seconds(86_400)
    /// The pick-up promise of the default policy: a batch within 30 minutes of its appearance.
    public static let promisedBatchDelay: Duration = .seconds(30 * 60)
    /// Requests a day the polls leave to core data (4 a day), retries and a person using CKW's app.
    public static let defaultLoginReserve = 10
    /// Requests of the quota that no planned request may touch (retries, a person using CKW's app).
    public static let guardReserve = 2

    public var pollInterval: Duration
    public var lookback: Duration
    /// `nil` disables the sweep.
    public var correctionSweepInterval: Duration?
    public var dailyRequestBudget: Int
    public var loginReserve: Int = Self.defaultLoginReserve
    /// Whose quota `dailyRequestBudget` is.
    public var budgetScope: BudgetScope = .login

    /// The Client API limits each user's login: one budget for all of a household's metering
    /// points. The Backend API's app credentials read the metering points of many customers, each
    /// with a quota of their own: there the budget is per metering point.
    public enum BudgetScope: Sendable, Equatable {
        case login
        case meteringPoint
    }

    public init(pollInterval: Duration = .seconds(20 * 60),
                lookback: Duration = .seconds(3 * 86_400),
                correctionSweepInterval: Duration? = .seconds(86_400),
                dailyRequestBudget: Int = Self.defaultDailyRequestBudget) {
        precondition(pollInterval > .zero && lookback >= MeterLedger.intervalLength, "the policy needs positive durations")
        self.pollInterval = pollInterval
        self.lookback = lookback
        self.correctionSweepInterval = correctionSweepInterval
        self.dailyRequestBudget = dailyRequestBudget
    }

    /// The policy the configuration describes (the budget is `ckw.api.daily_request_limit`).
    public init(_ configuration: BridgeConfiguration) {
        self.init(configuration.bridge, dailyRequestBudget: configuration.ckw.dailyRequestLimit)
        // Rate limits are per user; only an app's own client credentials read many customers' meters.
        budgetScope = configuration.ckw.mode == .clientCredentials ? .meteringPoint : .login
    }

    public init(_ settings: BridgeSettings, dailyRequestBudget: Int = Self.defaultDailyRequestBudget) {
        self.init(pollInterval: settings.pollInterval, lookback: settings.lookback,
                  correctionSweepInterval: settings.correctionSweep.interval, dailyRequestBudget: dailyRequestBudget)
    }

    static let day: TimeInterval = 86_400

    /// The most polls any 24 hours can hold when consecutive polls are at least `pollInterval`
    /// apart: `floor(24 h / interval) + 1` (73 for 20 minutes, 97 for 15), counting both ends.
    public var maximumPollsPerDay: Int {
        Int((Self.day / pollInterval.timeInterval).rounded(.down)) + 1
    }

    /// Refresh commands served within any 24 hours: what the budget leaves after the polls.
    public var refreshAllowancePerDay: Int {
        max(0, dailyRequestBudget - maximumPollsPerDay)
    }

    /// The longest a batch can wait between appearing and being fetched.
    public var maximumBatchDelay: Duration { pollInterval }

    /// The requests all tracked metering points may make in 24 hours.
    func totalBudget(meteringPoints: Int) -> Int {
        budgetScope == .login ? dailyRequestBudget : dailyRequestBudget * max(1, meteringPoints)
    }

    /// Whether the policy keeps both promises: the daily budget and the 30-minute pick-up.
    public var keepsPromises: Bool {
        maximumPollsPerDay <= dailyRequestBudget && maximumBatchDelay <= Self.promisedBatchDelay
    }

    /// The poll interval with `meteringPoints` sharing the login's budget (with a budget per
    /// metering point, as for one): the configured one, or
    /// longer where the polls of all metering points would not fit the budget less `loginReserve`
    /// (each metering point's polls count both ends of a day, hence one more each).
    public func effectivePollInterval(meteringPoints: Int) -> Duration {
        guard meteringPoints > 0 else { return pollInterval }
        if budgetScope == .meteringPoint, meteringPoints > 1 { return effectivePollInterval(meteringPoints: 1) }
        let usable = max(1, dailyRequestBudget - loginReserve - meteringPoints)
        let spread = Int64((Self.day * Double(meteringPoints) / Double(usable)).rounded(.up))
        return max(pollInterval, .seconds(spread))
    }
}
