import Testing

@testable import Mosquitto

/// The bookkeeping behind `publish`, which calls libmosquitto outside the client's lock: a completion
/// can arrive between hand-over and registration. (Waiters are `nil` here; they need a real task.)
@Suite("Pending publications")
struct PendingPublishesTests {
    @Test func completionBeforeRegistrationSettlesTheRegistration() {
        var pending = PendingPublishes()
        pending.reserve(qos: .atLeastOnce)
        #expect(pending.awaitingAcknowledgement == 1)

        #expect(pending.complete(messageID: 7, reasonCode: 0x10) == nil)
        #expect(pending.register(messageID: 7, token: 1, qos: .atLeastOnce, waiter: nil) == 0x10)
        #expect(pending.awaitingAcknowledgement == 0)
        #expect(pending.count == 0)
    }

    @Test func completionAfterRegistrationRemovesTheEntry() {
        var pending = PendingPublishes()
        pending.reserve(qos: .exactlyOnce)
        #expect(pending.register(messageID: 9, token: 2, qos: .exactlyOnce, waiter: nil) == nil)
        #expect(pending.awaitingAcknowledgement == 1)
        #expect(pending.complete(messageID: 9, reasonCode: 0)?.token == 2)
        #expect(pending.awaitingAcknowledgement == 0)
        #expect(pending.count == 0)
    }

    @Test func unknownCompletionWithoutACallUnderWayIsNotKept() {
        var pending = PendingPublishes()
        #expect(pending.complete(messageID: 3, reasonCode: 0) == nil)
        // A later call that happens to get id 3 must not be settled by the stale completion.
        pending.reserve(qos: .atLeastOnce)
        #expect(pending.register(messageID: 3, token: 4, qos: .atLeastOnce, waiter: nil) == nil)
        #expect(pending.awaitingAcknowledgement == 1)
    }

    @Test func releasedReservationAndConnectionLossKeepTheCountsRight() {
        var pending = PendingPublishes()
        pending.reserve(qos: .atLeastOnce)
        pending.releaseReservation(qos: .atLeastOnce)
        #expect(pending.awaitingAcknowledgement == 0)

        pending.reserve(qos: .atMostOnce)
        pending.reserve(qos: .atLeastOnce)
        _ = pending.register(messageID: 1, token: 1, qos: .atMostOnce, waiter: nil)
        _ = pending.register(messageID: 2, token: 2, qos: .atLeastOnce, waiter: nil)
        _ = pending.removeAtMostOnce()
        #expect(pending.count == 1)
        #expect(pending.awaitingAcknowledgement == 1)
    }
}
