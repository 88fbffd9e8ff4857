// dlib's frontal-face detector behind a C API. In C++ because dlib is C++ only; every entry point catches every
// exception, so none crosses into Swift.
#include "facedetect.h"

#include "fast_detector.h"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include <dlib/image_processing/frontal_face_detector.h>
#include <dlib/image_processing/shape_predictor.h>
#include <dlib/image_transforms.h>

struct fast_detector_deleter {
    void operator()(facedetect::fast_detector *detector) const { facedetect::fast_detector_free(detector); }
};

struct fd_model {
    // Never run directly: object_detector keeps scratch state in itself, so each fd_detect runs a copy of the
    // prototype taken from the pool (and given back), and the model serves many threads at once.
    mutable facedetect::scratch_pool<dlib::frontal_face_detector> scans;
    std::unique_ptr<dlib::shape_predictor> landmarks;  // null: no eye positions
    // The same detector's scan built for AVX2 and FMA (fast_detector.h); null: the portable scan above runs.
    std::unique_ptr<facedetect::fast_detector, fast_detector_deleter> fast;
};

namespace {

void fail(fd_status *status, int code, const char *format, ...) {
    if (status->code) return;
    status->code = code;
    va_list args;
    va_start(args, format);
    std::vsnprintf(status->message, sizeof status->message, format, args);
    va_end(args);
    status->message[0] = char(std::tolower((unsigned char)status->message[0]));
    if (char *newline = std::strchr(status->message, '\n')) *newline = '\0';  // dlib's messages run to lines
}

void clear(fd_status *status) {
    status->code = FD_OK;
    status->message[0] = '\0';
}

/// The mean position of landmarks first..first+5 (one eye's six points in the 68-point scheme).
dlib::dpoint eye_centre(const dlib::full_object_detection &shape, unsigned long first) {
    dlib::dpoint sum(0, 0);
    for (unsigned long i = first; i < first + 6; i++) sum += shape.part(i);
    return sum / 6.0;
}

/// The scanner settings and filters of `detector`, for the AVX2 copy of its scan.
facedetect::scan_settings settings_of(const dlib::frontal_face_detector &detector) {
    const auto &scanner = detector.get_scanner();
    facedetect::scan_settings settings{scanner.get_detection_window_width(), scanner.get_detection_window_height(),
                                       scanner.get_cell_size(), scanner.get_padding(),
                                       scanner.get_min_pyramid_layer_width(), scanner.get_min_pyramid_layer_height(),
                                       scanner.get_max_pyramid_levels(), detector.get_overlap_tester().get_iou_thresh(),
                                       detector.get_overlap_tester().get_percent_covered_thresh(), {}};
    for (unsigned long i = 0; i < detector.num_detectors(); i++) {
        const auto &w = detector.get_w(i);
        settings.filters.emplace_back(w.begin(), w.end());
    }
    return settings;
}

/// `grey` shrunk so its longest side is `side`: halving steps (dlib's Gaussian pyramid, which does not alias) while
/// at least twice too big, then one bilinear step to the exact size, so the whole image maps by a single scale.
void shrink(dlib::array2d<unsigned char> &grey, long width, long height) {
    dlib::pyramid_down<2> halve;
    while (grey.nc() >= 2 * width && grey.nr() >= 2 * height) {
        dlib::array2d<unsigned char> half;
        halve(grey, half);
        dlib::swap(grey, half);
    }
    if (grey.nc() != width || grey.nr() != height) {
        dlib::array2d<unsigned char> exact(height, width);
        dlib::resize_image(grey, exact, dlib::interpolate_bilinear());
        dlib::swap(grey, exact);
    }
}

}  // namespace

extern "C" fd_model *fd_model_create(const char *landmarks_path, int tilted, int vectorized, fd_status *status) {
    clear(status);
    try {
        dlib::frontal_face_detector detector = dlib::get_frontal_face_detector();
        if (!tilted) {
            std::vector<dlib::frontal_face_detector> upright;
            for (unsigned long i = 0; i < 3 && i < detector.num_detectors(); i++) {
                upright.emplace_back(detector.get_scanner(), detector.get_overlap_tester(), detector.get_w(i));
            }
            detector = dlib::frontal_face_detector(upright);
        }
        std::unique_ptr<fd_model> model(
            new fd_model{facedetect::scratch_pool<dlib::frontal_face_detector>(detector), nullptr, nullptr});
        if (vectorized) model->fast.reset(facedetect::fast_detector_create(settings_of(detector)));
        if (landmarks_path) {
            struct stat info;
            if (stat(landmarks_path, &info) != 0) {
                fail(status, FD_MODEL_MISSING, "landmark model %s not found", landmarks_path);
                return nullptr;
            }
            model->landmarks = std::make_unique<dlib::shape_predictor>();
            dlib::deserialize(landmarks_path) >> *model->landmarks;
            if (model->landmarks->num_parts() != 68) {
                fail(status, FD_MODEL_UNREADABLE, "landmark model %s has %lu points, not 68", landmarks_path,
                     model->landmarks->num_parts());
                return nullptr;
            }
        }
        return model.release();
    } catch (const std::bad_alloc &) {
        fail(status, FD_OUT_OF_MEMORY, "out of memory loading the face detector");
    } catch (const dlib::serialization_error &error) {
        fail(status, FD_MODEL_UNREADABLE, "landmark model %s is unreadable: %s", landmarks_path, error.what());
    } catch (const std::exception &error) {
        fail(status, FD_FAILED, "face detector: %s", error.what());
    }
    return nullptr;
}

extern "C" void fd_model_free(fd_model *model) { delete model; }

extern "C" int fd_model_vectorized(const fd_model *model) { return model->fast ? 1 : 0; }

extern "C" int fd_detect(const fd_model *model, const unsigned char *rgb, size_t size, int width, int height,
                         int detect_side, double min_confidence, fd_result *result) {
    std::memset(result, 0, sizeof *result);
    fd_status *status = &result->status;
    if (width <= 0 || height <= 0 || !rgb || size_t(width) * size_t(height) * 3 != size) {
        fail(status, FD_BAD_IMAGE, "image of %dx%d needs %dx%dx3 bytes, got %zu", width, height, width, height,
             size);
        return status->code;
    }
    try {
        // Grey straight from the RGB bytes, as dlib's assign_image would make it ((r + g + b) / 3), without the copy
        // into an RGB image first.
        dlib::array2d<unsigned char> grey(height, width);
        for (long row = 0; row < height; row++) {
            const unsigned char *in = rgb + size_t(row) * width * 3;
            unsigned char *out = &grey[row][0];
            for (long x = 0; x < width; x++, in += 3) out[x] = (unsigned char)((unsigned(in[0]) + in[1] + in[2]) / 3);
        }

        long longest = std::max(width, height);
        if (detect_side > 0 && longest > detect_side) {
            double scale = double(detect_side) / longest;
            shrink(grey, std::max(1L, std::lround(width * scale)), std::max(1L, std::lround(height * scale)));
        }
        double fx = double(width) / grey.nc(), fy = double(height) / grey.nr();

        std::vector<facedetect::found_box> found;
        if (model->fast) {
            found = facedetect::fast_detector_scan(model->fast.get(), &grey[0][0], grey.nc(), grey.nr(),
                                                   long(dlib::width_step(grey)), min_confidence);
        } else {
            std::unique_ptr<dlib::frontal_face_detector> detector = model->scans.take();
            std::vector<dlib::rect_detection> detections;
            (*detector)(grey, detections, min_confidence);
            model->scans.give(std::move(detector));
            for (const dlib::rect_detection &d : detections) {
                found.push_back({d.rect.left(), d.rect.top(), d.rect.right(), d.rect.bottom(), d.detection_confidence});
            }
        }
        // Largest first; ties by position, so the order never depends on the detector's internals.
        auto area = [](const facedetect::found_box &box) {
            return (box.right - box.left + 1) * (box.bottom - box.top + 1);
        };
        std::sort(found.begin(), found.end(), [&](const facedetect::found_box &a, const facedetect::found_box &b) {
            if (area(a) != area(b)) return area(a) > area(b);
            if (a.left != b.left) return a.left < b.left;
            return a.top < b.top;
        });

        if (!found.empty()) {
            result->faces = static_cast<fd_face *>(std::calloc(found.size(), sizeof(fd_face)));
            if (!result->faces) throw std::bad_alloc();
        }
        for (const facedetect::found_box &detection : found) {
            const dlib::rectangle box(detection.left, detection.top, detection.right, detection.bottom);
            fd_face &face = result->faces[result->count++];
            face.x = box.left() * fx;
            face.y = box.top() * fy;
            face.width = box.width() * fx;
            face.height = box.height() * fy;
            face.confidence = detection.confidence;
            if (model->landmarks) {
                dlib::full_object_detection shape = (*model->landmarks)(grey, box);
                dlib::dpoint left = eye_centre(shape, 36), right = eye_centre(shape, 42);
                face.has_eyes = 1;
                face.left_eye_x = (left.x() + 0.5) * fx;
                face.left_eye_y = (left.y() + 0.5) * fy;
                face.right_eye_x = (right.x() + 0.5) * fx;
                face.right_eye_y = (right.y() + 0.5) * fy;
            }
        }
    } catch (const std::bad_alloc &) {
        fd_result_free(result);
        fail(status, FD_OUT_OF_MEMORY, "out of memory detecting faces in %dx%d pixels", width, height);
    } catch (const std::exception &error) {
        fd_result_free(result);
        fail(status, FD_FAILED, "face detection failed: %s", error.what());
    }
    return status->code;
}

extern "C" void fd_result_free(fd_result *result) {
    std::free(result->faces);
    result->faces = nullptr;
    result->count = 0;
}
