import ArgumentParser
import Bridge
import EnergyDomain
import Foundation
import OpenEnergy
import Timestamps

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the login, rate limits, the last fetch and the totals, from the state directory.")

    @OptionGroup var options: ConfigurationOptions

    func run() async throws {
        let configuration = try options.load(ckw: .suppliedByCaller)
        let directory = configuration.bridge.stateDirectory
        var lines = ["State directory: \(directory)"]
        lines += loginLines(directory: directory, ckw: configuration.ckw)
        lines += bridgeInfoLines(directory: directory)
        let stateLines: [String]
        do {
            stateLines = try meterLines(directory: directory)
        } catch {
            Terminal.print(lines.joined(separator: "\n"))
            Terminal.error("\(error)")
            throw ExitCode.failure
        }
        Terminal.print((lines + stateLines).joined(separator: "\n"))
    }

    private func loginLines(directory: String, ckw: CKWSettings) -> [String] {
        guard ckw.mode.needsUserLogin(ckw.userIdentification) else {
            return ["Login: none needed (\(ckw.mode.rawValue) mode: \(ckw.accessDescription))"]
        }
        let store = TokenStore(directory: URL(fileURLWithPath: directory, isDirectory: true))
        do {
            guard let tokens = try store.load() else { return ["Login: none; run `ckw2mqtt login`"] }
            var lines = ["Login: \(tokens.issuer) (client \(tokens.clientID)), obtained \(Self.format(tokens.obtainedAt))"]
            lines.append("  access token valid until \(Self.format(tokens.accessTokenExpiresAt))")
            if tokens.refreshToken == nil {
                lines.append("  no refresh token: a new login is needed when the access token expires")
            } else if let until = tokens.refreshTokenExpiresAt {
                lines.append("  refresh token valid until \(Self.format(until)) (extended with every use)")
            }
            return lines
        } catch {
            return ["Login: \(error)"]
        }
    }

    private func bridgeInfoLines(directory: String) -> [String] {
        guard let data = BridgeInfoFile(directory: directory).read(),
              let info = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return ["Bridge: has not run with this state directory yet"] }
        var lines = ["Bridge \(info["version"] as? String ?? "?") as of its last save:"]
        lines.append("  authentication: \(info["auth"] as? String ?? "unknown")")
        lines.append("  last successful fetch: \(info["last_successful_fetch"] as? String ?? "never")")
        lines.append("  next planned fetch: \(info["next_planned_fetch"] as? String ?? "-")")
        if let rate = info["rate_limit"] as? [String: Any] {
            let remaining = (rate["remaining"] as? Int).map(String.init) ?? "?"
            let limit = (rate["limit"] as? Int).map(String.init) ?? "?"
            let reset = rate["reset"] as? String ?? "-"
            lines.append("  API requests remaining: \(remaining) of \(limit) (window resets \(reset))")
            if let used = rate["used_today"] as? Int, let left = rate["left_today"] as? Int {
                lines.append("  requests of this login in the last 24 h: \(used), \(left) left within the daily limit")
            }
            if let paused = rate["paused_until"] as? String {
                lines.append("  quota spent: no request before \(paused)")
            }
        }
        if let error = info["last_error"] as? String { lines.append("  last error: \(error)") }
        if let kept = info["last_undecodable_response"] as? String {
            lines.append("  last response ckw2mqtt could not read, masked: \(kept)")
        }
        return lines
    }

    private func meterLines(directory: String) throws -> [String] {
        guard let state = try StateStore(directory: directory).load() else { return ["Metering points: none yet"] }
        let now = Date()
        var lines = ["Metering points:"]
        for id in state.ledger.meteringPointIds {
            var parts: [String] = []
            if let total = state.ledger.lifetimeTotal(meteringPointId: id, direction: .consumption) {
                parts.append("import \(Self.kilowattHours(total)) kWh")
            }
            if let total = state.ledger.lifetimeTotal(meteringPointId: id, direction: .production) {
                parts.append("export \(Self.kilowattHours(total)) kWh")
            }
            if let last = state.ledger.lastCompleteInterval(meteringPointId: id) {
                parts.append("last interval ends \(Self.format(last.end)) (\(last.quality.rawValue))")
            }
            let requests = state.schedule.entries[id]?.recentRequests.count { now.timeIntervalSince($0.at) < 86_400 } ?? 0
            parts.append("requests in the last 24 h: \(requests)")
            lines.append("  \(id): " + parts.joined(separator: ", "))
        }
        return lines
    }

    private static func format(_ date: Date) -> String { ISO8601Timestamp.format(date) }

    private static func kilowattHours(_ amount: EnergyAmount) -> String {
        String(format: "%.3f", amount.kilowattHours)
    }
}
