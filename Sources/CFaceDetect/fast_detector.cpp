// dlib's HOG scan compiled for AVX2 and FMA beside the portable one in facedetect.cpp, for CPUs that have them.
//
// The whole of dlib's scanning code is templates in its headers, instantiated here. Two things keep this copy apart
// from the portable one, so that neither can stand in for the other at link time:
//  - dlib's namespace is renamed for this file (`dlib` becomes `facedetect_avx2_dlib`), so every instantiation here
//    has its own symbol; the functions used are all in headers (no libdlib symbol is referenced from here).
//  - every function compiled from the headers gets the AVX2 and FMA target (a clang attribute pragma), with the
//    feature macros dlib's SIMD wrappers test defined for them; nothing here runs unless cpuid says the CPU has both.
// The standard library is included first, outside the pragma, so it stays the portable build's.
#include "fast_detector.h"

#if defined(__x86_64__) && defined(__clang__) && !defined(__AVX2__)

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <functional>
#include <iostream>
#include <limits>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <immintrin.h>

#define __SSE3__ 1
#define __SSSE3__ 1
#define __SSE4_1__ 1
#define __SSE4_2__ 1
#define __AVX__ 1
#define __AVX2__ 1
#define __FMA__ 1
#define dlib facedetect_avx2_dlib
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#include <dlib/image_processing/object_detector.h>
#include <dlib/image_processing/scan_fhog_pyramid.h>
#pragma clang attribute pop
#undef dlib

// dlib's headers reference these to catch builds with mismatched settings; libdlib defines them in its own
// namespace only.
namespace facedetect_avx2_dlib {
int USER_ERROR__inconsistent_build_configuration__see_dlib_faq_1_;
int USER_ERROR__inconsistent_build_configuration__see_dlib_faq_2_;
}  // namespace facedetect_avx2_dlib

namespace facedetect {

namespace fast = facedetect_avx2_dlib;
using scanner = fast::scan_fhog_pyramid<fast::pyramid_down<6>>;

struct fast_detector {
    scratch_pool<fast::object_detector<scanner>> scans;
};

fast_detector *fast_detector_create(const scan_settings &settings) {
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) return nullptr;
    scanner scan;
    scan.set_detection_window_size(settings.window_width, settings.window_height);
    scan.set_cell_size(settings.cell_size);
    scan.set_padding(settings.padding);
    scan.set_min_pyramid_layer_size(settings.min_layer_width, settings.min_layer_height);
    scan.set_max_pyramid_levels(settings.max_levels);
    fast::test_box_overlap overlap(settings.iou_threshold, settings.covered_threshold);
    std::vector<fast::object_detector<scanner>> parts;
    for (const std::vector<double> &filter : settings.filters) {
        fast::matrix<double, 0, 1> weights(long(filter.size()));
        for (size_t i = 0; i < filter.size(); i++) weights(long(i)) = filter[i];
        parts.emplace_back(scan, overlap, weights);
    }
    return new fast_detector{scratch_pool<fast::object_detector<scanner>>(fast::object_detector<scanner>(parts))};
}

void fast_detector_free(fast_detector *detector) { delete detector; }

std::vector<found_box> fast_detector_scan(fast_detector *detector, const unsigned char *grey, long width,
                                          long height, long stride, double min_confidence) {
    fast::array2d<unsigned char> image(height, width);
    for (long row = 0; row < height; row++) std::memcpy(&image[row][0], grey + row * stride, size_t(width));
    std::unique_ptr<fast::object_detector<scanner>> scan = detector->scans.take();
    std::vector<fast::rect_detection> found;
    (*scan)(image, found, min_confidence);
    detector->scans.give(std::move(scan));
    std::vector<found_box> boxes;
    boxes.reserve(found.size());
    for (const fast::rect_detection &d : found) {
        boxes.push_back({d.rect.left(), d.rect.top(), d.rect.right(), d.rect.bottom(), d.detection_confidence});
    }
    return boxes;
}

}  // namespace facedetect

#else  // another compiler or architecture, or a build for AVX2 already: the portable scan is the only one

namespace facedetect {

struct fast_detector {};

fast_detector *fast_detector_create(const scan_settings &) { return nullptr; }
void fast_detector_free(fast_detector *detector) { delete detector; }
std::vector<found_box> fast_detector_scan(fast_detector *, const unsigned char *, long, long, long, double) {
    return {};
}

}  // namespace facedetect

#endif
