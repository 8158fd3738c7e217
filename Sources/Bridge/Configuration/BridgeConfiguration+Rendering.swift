extension BridgeConfiguration: CustomStringConvertible {
    /// The effective configuration as YAML, secrets redacted: what `check-config` prints. Loading
    /// this text again yields the same configuration, apart from the redacted secrets.
    public var description: String {
        var lines: [String] = []
        var openSections: [Substring] = []
        for key in ConfigurationSchema.keys {
            let sections = key.path.split(separator: ".").dropLast()
            let shared = zip(openSections, sections).prefix(while: { $0 == $1 }).count
            for (depth, section) in sections.enumerated().dropFirst(shared) {
                lines.append(String(repeating: "  ", count: depth) + "\(section):")
            }
            openSections = Array(sections)
            lines.append(String(repeating: "  ", count: sections.count) + "\(key.name): \(key.render(self) ?? "null")")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
