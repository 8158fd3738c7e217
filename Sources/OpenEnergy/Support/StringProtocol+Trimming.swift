extension StringProtocol {
    /// The text without the leading and trailing characters that match. The standard library's own
    /// alternative to Foundation's `trimmingCharacters(in:)`, which goes through `NSString` and
    /// `CharacterSet`: code that the daemon otherwise never runs between two polls, and whose pages
    /// it would keep resident only for this.
    func trimming(where isTrimmed: (Character) -> Bool) -> String {
        guard let first = firstIndex(where: { !isTrimmed($0) }), let last = lastIndex(where: { !isTrimmed($0) }) else { return "" }
        return String(self[first...last])
    }

    /// Without HTTP's optional whitespace (spaces and horizontal tabs) around it.
    func trimmingSpacesAndTabs() -> String {
        trimming { $0 == " " || $0 == "\t" }
    }
}
