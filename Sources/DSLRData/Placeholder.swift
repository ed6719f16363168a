import DSLRTensor
// Datasets, synthetic pairs and alignment land here.
