/// Suggests the key a user probably meant when they wrote an unknown one.
enum KeySuggestion {
    /// The best match for `unknown` among `candidates` (dotted paths), or `nil` when nothing is
    /// close enough to be a plausible typo.
    ///
    /// Tried in order: a sibling in the same section with a similar name (`mqtt.hots` ->
    /// `mqtt.host`), the same name in another section (`mqtt.discovery_prefix` ->
    /// `homeassistant.discovery_prefix`), then any path that is close as a whole.
    static func suggestion(for unknown: String, among candidates: [String]) -> String? {
        let (parent, leaf) = split(unknown)
        let siblings = candidates.filter { split($0).parent == parent }
        if let sibling = closest(to: leaf, among: siblings, name: { split($0).leaf }) {
            return sibling
        }
        if let moved = candidates.first(where: { split($0).leaf == leaf && split($0).parent != parent }) {
            return moved
        }
        return closest(to: unknown, among: candidates, name: { $0 })
    }

    private static func closest(to text: String, among candidates: [String], name: (String) -> String) -> String? {
        let limit = tolerance(for: text)
        let scored = candidates
            .map { (candidate: $0, distance: editDistance(text.lowercased(), name($0).lowercased())) }
            .filter { $0.distance <= limit }
        return scored.min(by: { $0.distance < $1.distance })?.candidate
    }

    /// Short names tolerate one edit, longer ones up to three: beyond that suggestions are noise.
    private static func tolerance(for text: String) -> Int {
        switch text.count {
        case ..<5: 1
        case ..<10: 2
        default: 3
        }
    }

    private static func split(_ path: String) -> (parent: String, leaf: String) {
        guard let dot = path.lastIndex(of: ".") else { return ("", path) }
        return (String(path[..<dot]), String(path[path.index(after: dot)...]))
    }

    /// Damerau-Levenshtein distance (optimal string alignment): insertions, deletions,
    /// substitutions and transpositions of neighbours each cost one, the usual typos.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var table = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { table[i][0] = i }
        for j in 0...b.count { table[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1)
                }
            }
        }
        return table[a.count][b.count]
    }
}
