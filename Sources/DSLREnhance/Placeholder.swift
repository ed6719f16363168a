import DSLRTensor
// The classic enhancer, tiling and the enhance pipeline land here.
