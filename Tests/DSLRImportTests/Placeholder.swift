import Testing
@testable import DSLRImport

@Test func importBuilds() {}
