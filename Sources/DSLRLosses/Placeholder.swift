import DSLRTensor
// Losses land here.
