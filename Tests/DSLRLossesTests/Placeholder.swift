import Testing
@testable import DSLRLosses

@Test func lossesBuilds() {}
