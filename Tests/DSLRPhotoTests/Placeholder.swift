import Testing
@testable import DSLRPhoto

@Test func photoBuilds() {}
