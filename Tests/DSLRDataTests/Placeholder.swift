import Testing
@testable import DSLRData

@Test func dataBuilds() {}
