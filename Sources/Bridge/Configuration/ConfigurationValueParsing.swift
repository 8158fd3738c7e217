import Foundation
import OpenEnergy
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A configuration value before it is typed: what YAML, an environment variable or a flag gave us.
enum RawConfigurationValue: Sendable, Equatable {
    case scalar(String)
    case sequence([String])

    /// The value as written, for "got `...`" in messages.
    var quoted: String {
        switch self {
        case .scalar(let text): "`\(text)`"
        case .sequence(let items): "`[\(items.joined(separator: ", "))]`"
        }
    }
}

/// Why one value was rejected; the loader adds the key and where it came from.
struct ValueProblem: Error, Sendable, Equatable {
    var reason: String
    init(_ reason: String) { self.reason = reason }
}

/// Parsers for the value syntaxes the configuration accepts. Each throws a `ValueProblem` whose
/// reason names what was expected, so the user can fix the value without reading documentation.
enum ConfigurationValueParsing {
    static func scalar(_ raw: RawConfigurationValue) throws(ValueProblem) -> String {
        switch raw {
        case .scalar(let text): return text
        case .sequence: throw ValueProblem("expected a single value, not a list")
        }
    }

    static func nonEmptyString(_ raw: RawConfigurationValue) throws(ValueProblem) -> String {
        let text = try scalar(raw).trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { throw ValueProblem("must not be empty") }
        return text
    }

    static func bool(_ raw: RawConfigurationValue) throws(ValueProblem) -> Bool {
        let text = try scalar(raw)
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw ValueProblem("expected true or false, got `\(text)`")
        }
    }

    static func integer(_ raw: RawConfigurationValue, in range: ClosedRange<Int>) throws(ValueProblem) -> Int {
        let text = try scalar(raw)
        guard let value = Int(text.trimmingCharacters(in: .whitespaces)) else {
            throw ValueProblem("expected a whole number, got `\(text)`")
        }
        guard range.contains(value) else {
            throw ValueProblem("must be between \(range.lowerBound) and \(range.upperBound), got \(value)")
        }
        return value
    }

    static func number(_ raw: RawConfigurationValue, atLeast minimum: Double) throws(ValueProblem) -> Double {
        let text = try scalar(raw)
        guard let value = Double(text.trimmingCharacters(in: .whitespaces)), value.isFinite else {
            throw ValueProblem("expected a number, got `\(text)`")
        }
        guard value >= minimum else {
            throw ValueProblem("must be at least \(Self.format(minimum)), got \(Self.format(value))")
        }
        return value
    }

    static func choice<Value>(_ raw: RawConfigurationValue, _ choices: [(String, Value)]) throws(ValueProblem) -> Value {
        let text = try scalar(raw).trimmingCharacters(in: .whitespaces)
        if let match = choices.first(where: { $0.0.caseInsensitiveCompare(text) == .orderedSame }) {
            return match.1
        }
        let names = choices.map { "`\($0.0)`" }.joined(separator: ", ")
        throw ValueProblem("expected one of \(names), got `\(text)`")
    }

    /// A list, from a YAML sequence or a comma- or space-separated string (environment, flags).
    static func list(_ raw: RawConfigurationValue) -> [String] {
        switch raw {
        case .sequence(let items):
            return items.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        case .scalar(let text):
            return text.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" }).map(String.init)
        }
    }

    // MARK: Durations

    /// `90s`, `20m`, `72h`, `3d`, combinations such as `1h30m`, or a whole number of seconds.
    static func duration(_ raw: RawConfigurationValue, in range: ClosedRange<Duration>) throws(ValueProblem) -> Duration {
        let text = try scalar(raw).trimmingCharacters(in: .whitespaces)
        guard let seconds = durationSeconds(text) else {
            throw ValueProblem("expected a duration such as `90s`, `20m`, `72h`, `3d` or a number of seconds, got `\(text)`")
        }
        let duration = Duration.seconds(seconds)
        guard range.contains(duration) else {
            throw ValueProblem("must be between \(render(range.lowerBound)) and \(render(range.upperBound)), got \(render(duration))")
        }
        return duration
    }

    static func durationSeconds(_ text: String) -> Int64? {
        if let plain = Int64(text) { return plain >= 0 ? plain : nil }
        var total: Int64 = 0
        var digits = ""
        for character in text.lowercased() {
            if character.isASCII, character.isNumber {
                digits.append(character)
                continue
            }
            guard let amount = Int64(digits), let unit = unitSeconds[character] else { return nil }
            let (product, overflow) = amount.multipliedReportingOverflow(by: unit)
            guard !overflow else { return nil }
            total += product
            digits = ""
        }
        // A trailing number without a unit (`1h30`) is ambiguous: reject it.
        return digits.isEmpty && !text.isEmpty ? total : nil
    }

    private static let unitSeconds: [Character: Int64] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]

    /// The shortest exact spelling: `3d`, `20m`, `90m`, `45s`.
    static func render(_ duration: Duration) -> String {
        let seconds = duration.wholeSeconds
        for (unit, size) in [("d", Int64(86_400)), ("h", 3600), ("m", 60)] where seconds != 0 && seconds % size == 0 {
            return "\(seconds / size)\(unit)"
        }
        return "\(seconds)s"
    }

    // MARK: URLs

    /// An absolute http(s) URL with a host. When `httpsRequired`, plain http is only allowed for a
    /// loopback host (the simulator, a local proxy): credentials never travel unencrypted otherwise.
    static func url(_ raw: RawConfigurationValue, httpsRequired: Bool) throws(ValueProblem) -> URL {
        let text = try nonEmptyString(raw)
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = url.host, !host.isEmpty
        else {
            throw ValueProblem("expected an absolute http(s) URL, got `\(text)`")
        }
        if httpsRequired, scheme == "http", !LoopbackHost.contains(host) {
            throw ValueProblem("must use https (plain http is only allowed for a loopback host), got `\(text)`")
        }
        return url
    }

    /// An HTTP header name (RFC 9110 token characters).
    static func isHeaderName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }

    /// An IPv4 or IPv6 address, or `none` (also `off`, `false`) for no trusted proxy.
    static func ingressProxy(_ raw: RawConfigurationValue) throws(ValueProblem) -> String? {
        let text = try nonEmptyString(raw)
        if ["none", "off", "false", "no"].contains(text.lowercased()) { return nil }
        guard isIPAddress(text) else {
            throw ValueProblem("expected the IP address of Home Assistant's ingress proxy (\(HTTPSettings.supervisorAddress)) or `none`, got `\(text)`")
        }
        return text
    }

    static func isIPAddress(_ text: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }

    // MARK: Topics

    /// An MQTT topic (or topic prefix) we publish to: no wildcards, no empty levels at the ends.
    static func topic(_ raw: RawConfigurationValue) throws(ValueProblem) -> String {
        let text = try nonEmptyString(raw)
        if text.contains("+") || text.contains("#") {
            throw ValueProblem("must not contain the MQTT wildcards `+` or `#`, got `\(text)`")
        }
        if text.hasPrefix("/") || text.hasSuffix("/") {
            throw ValueProblem("must not start or end with `/`, got `\(text)`")
        }
        return text
    }

    /// Metering point ids: `CH` followed by 31 letters or digits (33 characters in total).
    static func isMeteringPointID(_ text: String) -> Bool {
        text.count == 33 && text.hasPrefix("CH")
            && text.dropFirst(2).allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
    }

    static func format(_ number: Double) -> String {
        number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
    }
}
