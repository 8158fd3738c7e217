/// Counts what the API client sent since the last call against the login's one daily budget.
struct SentRequestCounter: Sendable {
    let ckw: CKWConnection
    let bridgeState: BridgeState

    func count() async {
        let sent = ckw.takeSentRequests()
        if !sent.isEmpty { await bridgeState.noteRequestsSent(sent) }
    }
}
