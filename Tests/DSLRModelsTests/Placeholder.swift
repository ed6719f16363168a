import Testing
@testable import DSLRModels

@Test func modelsBuilds() {}
