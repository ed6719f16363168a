import Testing
@testable import DSLREnhance

@Test func enhanceBuilds() {}
