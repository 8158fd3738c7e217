import Foundation

/// `docker-compose.yml` read as Docker Compose reads it: services, their environment after
/// `${VAR:-default}` interpolation, ports, volumes and profiles.
struct ComposeFile {
    struct Service {
        var name: String
        var image: String?
        var builds: Bool
        var command: [String]
        var profiles: [String]
        var ports: [String]
        /// `source:target[:mode]` entries, unchanged.
        var volumes: [String]
        /// Raw values, before interpolation.
        var environment: [String: String]

        func volumeTarget(ofSource source: String) -> String? {
            volumes.map { $0.split(separator: ":").map(String.init) }
                .first { $0.first == source }
                .map { $0[1] }
        }
    }

    var services: [String: Service]
    var namedVolumes: Set<String>

    init(yaml document: Any?) throws {
        guard let root = document as? [String: Any], let services = root["services"] as? [String: Any] else {
            throw ShapeError("the file has no `services` mapping")
        }
        var parsed: [String: Service] = [:]
        for (name, value) in services {
            guard let service = value as? [String: Any] else { throw ShapeError("service `\(name)` is not a mapping") }
            parsed[name] = Service(
                name: name,
                image: service["image"] as? String,
                builds: service["build"] != nil,
                command: try Self.list(service["command"], "\(name).command"),
                profiles: try Self.list(service["profiles"], "\(name).profiles"),
                ports: try Self.list(service["ports"], "\(name).ports"),
                volumes: try Self.list(service["volumes"], "\(name).volumes"),
                environment: try Self.environment(service["environment"], service: name))
        }
        self.services = parsed
        namedVolumes = Set(((root["volumes"] as? [String: Any]) ?? [:]).keys)
    }

    /// Compose allows the environment as a mapping or as a list of `NAME=value`.
    private static func environment(_ value: Any?, service: String) throws -> [String: String] {
        switch value {
        case nil:
            return [:]
        case let mapping as [String: Any]:
            return mapping.mapValues { "\($0)" }
        case let list as [String]:
            return Dictionary(uniqueKeysWithValues: list.map { entry in
                let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
                return (parts[0], parts.count > 1 ? parts[1] : "")
            })
        default:
            throw ShapeError("\(service).environment is neither a mapping nor a list")
        }
    }

    private static func list(_ value: Any?, _ what: String) throws -> [String] {
        switch value {
        case nil: return []
        case let text as String: return text.split(separator: " ").map(String.init)
        case let items as [Any]: return items.map { "\($0)" }
        default: throw ShapeError("\(what) is neither a string nor a list")
        }
    }

    /// Compose's interpolation: `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `$VAR` and `$$`,
    /// with `variables` standing for the shell environment and `.env`.
    static func interpolate(_ text: String, variables: [String: String]) throws -> String {
        var result = ""
        var rest = Substring(text)
        while let dollar = rest.firstIndex(of: "$") {
            result += rest[..<dollar]
            rest = rest[rest.index(after: dollar)...]
            if rest.first == "$" {
                result += "$"
                rest = rest.dropFirst()
            } else if rest.first == "{" {
                guard let close = rest.firstIndex(of: "}") else { throw ShapeError("unclosed `${` in `\(text)`") }
                let expression = rest[rest.index(after: rest.startIndex)..<close]
                rest = rest[rest.index(after: close)...]
                result += try resolve(expression, variables: variables)
            } else {
                let name = rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" }
                guard !name.isEmpty else { throw ShapeError("a lone `$` in `\(text)`; write `$$`") }
                rest = rest.dropFirst(name.count)
                result += variables[String(name)] ?? ""
            }
        }
        return result + rest
    }

    private static func resolve(_ expression: Substring, variables: [String: String]) throws -> String {
        if let range = expression.range(of: ":-") {
            let value = variables[String(expression[..<range.lowerBound])] ?? ""
            return value.isEmpty ? String(expression[range.upperBound...]) : value
        }
        if let range = expression.range(of: ":?") {
            let name = String(expression[..<range.lowerBound])
            guard let value = variables[name], !value.isEmpty else { throw ShapeError("`\(name)` is required: \(expression[range.upperBound...])") }
            return value
        }
        if let dash = expression.firstIndex(of: "-") {
            return variables[String(expression[..<dash])] ?? String(expression[expression.index(after: dash)...])
        }
        return variables[String(expression)] ?? ""
    }
}

struct ShapeError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
