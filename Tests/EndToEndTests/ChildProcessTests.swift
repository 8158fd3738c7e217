import Foundation
import Testing
import TestSupport

@Suite("Test support: child processes")
struct ChildProcessTests {
    @Test("a child process still running when its owner is released is killed")
    func releasedChildIsKilled() async throws {
        var child: ChildProcess? = try ChildProcess(executable: "/bin/sleep", arguments: ["60"])
        let pid = try #require(child?.processIdentifier)
        #expect(kill(pid, 0) == 0)
        child = nil
        let deadline = ContinuousClock.now + .seconds(5)
        // Gone, or a zombie until Foundation reaps it.
        while processIsAlive(pid), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(!processIsAlive(pid))
    }

    private func processIsAlive(_ pid: Int32) -> Bool {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
        // The state follows the command name in parentheses: Z is a zombie, X dead.
        guard let state = status.split(separator: ")").last?.split(separator: " ").first else { return false }
        return state != "Z" && state != "X"
    }
}
