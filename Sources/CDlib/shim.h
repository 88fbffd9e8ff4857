// Only #includes, and none: dlib is a C++-only library, so Swift never imports it. This target exists to carry
// dlib's pkg-config flags (-ldlib and the BLAS/LAPACK it links) to CFaceDetect, whose C++ includes <dlib/...>.
