/// A test failure with an explanation, for conditions `#expect` cannot express (timeouts, set-up).
public struct TestFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
