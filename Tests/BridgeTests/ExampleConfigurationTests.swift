import Bridge
import Foundation
import Testing

@Suite("examples/config.yaml")
struct ExampleConfigurationTests {
    private static let examplePath = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("examples/config.yaml").path

    @Test("Its active settings are exactly the defaults")
    func activeSettingsAreDefaults() throws {
        let loader = ConfigurationLoader(environment: baseEnvironment, ckwRequirement: .suppliedByCaller)
        #expect(try loader.load(file: Self.examplePath) == loader.load())
    }

    @Test("It mentions every option, in its section")
    func mentionsEveryKey() throws {
        let example = try String(contentsOfFile: Self.examplePath, encoding: .utf8)
        let defaults = try ConfigurationLoader(environment: baseEnvironment, ckwRequirement: .suppliedByCaller).load()
        let everyKey = Self.keyPaths(in: defaults.description, commented: false)
        let mentioned = Self.keyPaths(in: example, commented: true)
        #expect(everyKey.count > 40)
        #expect(everyKey.subtracting(mentioned).isEmpty, "not in the example: \(everyKey.subtracting(mentioned).sorted())")
    }

    /// Dotted key paths of `key:` lines, by indentation (two spaces a level); with `commented`,
    /// also of commented-out `# key: value` lines.
    private static func keyPaths(in yaml: String, commented: Bool) -> Set<String> {
        var stack: [String] = []
        var paths = Set<String>()
        for line in yaml.split(separator: "\n") {
            let indent = line.prefix(while: { $0 == " " }).count
            var text = line.dropFirst(indent)
            if text.hasPrefix("# ") {
                guard commented else { continue }
                text = text.dropFirst(2)
            }
            guard let colon = text.firstIndex(of: ":"), text[..<colon].allSatisfy({ $0.isLowercase || $0 == "_" }),
                  !text[..<colon].isEmpty, indent % 2 == 0
            else { continue }
            let level = indent / 2
            guard level <= stack.count else { continue }
            stack = Array(stack.prefix(level)) + [String(text[..<colon])]
            paths.insert(stack.joined(separator: "."))
        }
        return paths
    }
}
