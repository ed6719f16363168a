import DSLRTensor
// Readers for other projects' weight files land here (TensorFlow checkpoint V2, MAT-file v5).
