// bench-faces harness: runs each candidate face detector on the same downscaled pixels and prints one JSON line per
// (photo, detector, detection size) with the boxes found (in the photo's upright coordinates) and the median CPU time.
// The cascades and raw dlib get OpenCV's grey; photoprov's shim (Sources/CFaceDetect) gets RGB, as in the pipeline.
// Built and driven by scripts/bench-faces; never part of photoprov.
//
//   bench-faces-harness REPEATS SIZE[,SIZE...] PHOTO...
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include <dlib/image_processing/frontal_face_detector.h>
#include <dlib/image_processing/shape_predictor.h>
#include <dlib/opencv/cv_image.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>

#include "facedetect.h"  // photoprov's own shim (Sources/CFaceDetect), compiled in

namespace {

double cpu_ms() {
    timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

long resident_kb() {
    long pages = 0, resident = 0;
    if (FILE *f = std::fopen("/proc/self/statm", "r")) {
        if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
        std::fclose(f);
    }
    return resident * 4;
}

using Boxes = std::vector<cv::Rect>;

struct Detector {
    std::string name;
    std::function<Boxes(const cv::Mat &rgb, const cv::Mat &gray)> run;
};

Detector cascade(const std::string &name, const std::string &file, int neighbours) {
    auto classifier = std::make_shared<cv::CascadeClassifier>();
    if (!classifier->load("/usr/share/opencv4/" + file)) {
        std::fprintf(stderr, "bench-faces-harness: cannot load /usr/share/opencv4/%s\n", file.c_str());
        std::exit(2);
    }
    return {name, [classifier, neighbours](const cv::Mat &, const cv::Mat &gray) {
                Boxes found;
                cv::Mat equalised;
                cv::equalizeHist(gray, equalised);
                int smallest = std::max(gray.cols, gray.rows) / 25;
                classifier->detectMultiScale(equalised, found, 1.1, neighbours, 0, cv::Size(smallest, smallest));
                return found;
            }};
}

Detector hog(const std::string &name, int upsample) {
    auto detector = std::make_shared<dlib::frontal_face_detector>(dlib::get_frontal_face_detector());
    return {name, [detector, upsample](const cv::Mat &, const cv::Mat &gray) {
                dlib::array2d<unsigned char> image;
                dlib::assign_image(image, dlib::cv_image<unsigned char>(gray));
                for (int i = 0; i < upsample; i++) dlib::pyramid_up(image);
                double scale = 1 << upsample;
                Boxes found;
                for (const auto &r : (*detector)(image)) {
                    found.emplace_back(int(r.left() / scale), int(r.top() / scale), int(r.width() / scale),
                                       int(r.height() / scale));
                }
                return found;
            }};
}

/// The HOG detector followed by the 68-point landmark fit on every face (what eye positions cost).
Detector hog_landmarks(const std::string &name, const std::string &model) {
    auto detector = std::make_shared<dlib::frontal_face_detector>(dlib::get_frontal_face_detector());
    auto predictor = std::make_shared<dlib::shape_predictor>();
    double start = cpu_ms();
    long before = resident_kb();
    dlib::deserialize(model) >> *predictor;
    std::printf("{\"model\":\"%s\",\"load_cpu_ms\":%.1f,\"resident_kb\":%ld}\n", model.c_str(), cpu_ms() - start,
                resident_kb() - before);
    return {name, [detector, predictor](const cv::Mat &, const cv::Mat &gray) {
                dlib::cv_image<unsigned char> image(gray);
                Boxes found;
                for (const auto &r : (*detector)(image)) {
                    dlib::full_object_detection shape = (*predictor)(image, r);
                    found.emplace_back(int(r.left()), int(r.top()), int(r.width()), int(r.height()));
                    (void)shape;
                }
                return found;
            }};
}

/// photoprov's shim as the pipeline calls it: RGB in, its own grey conversion, its confidence floor.
Detector shim(const std::string &name, int tilted, double min_confidence) {
    fd_status status;
    std::shared_ptr<fd_model> model(fd_model_create(nullptr, tilted, &status), fd_model_free);
    if (!model) {
        std::fprintf(stderr, "bench-faces-harness: %s\n", status.message);
        std::exit(2);
    }
    return {name, [model, min_confidence](const cv::Mat &rgb, const cv::Mat &) {
                fd_result result;
                Boxes found;
                if (fd_detect(model.get(), rgb.data, rgb.total() * 3, rgb.cols, rgb.rows, 0, min_confidence, &result)) {
                    std::fprintf(stderr, "bench-faces-harness: %s\n", result.status.message);
                    std::exit(2);
                }
                for (int i = 0; i < result.count; i++) {
                    const fd_face &f = result.faces[i];
                    found.emplace_back(int(f.x), int(f.y), int(f.width), int(f.height));
                }
                fd_result_free(&result);
                return found;
            }};
}

}  // namespace

int main(int argc, char **argv) {
    if (argc < 4) {
        std::fprintf(stderr, "usage: bench-faces-harness REPEATS SIZE[,SIZE...] PHOTO...\n");
        return 2;
    }
    cv::setNumThreads(1);  // CPU per photo on one core; photoprov runs --jobs photos side by side
    int repeats = std::atoi(argv[1]);
    std::vector<int> sizes;
    for (char *s = std::strtok(argv[2], ","); s; s = std::strtok(nullptr, ",")) sizes.push_back(std::atoi(s));
    std::vector<Detector> detectors = {
        cascade("opencv-haar-default", "haarcascades/haarcascade_frontalface_default.xml", 5),
        cascade("opencv-haar-alt2", "haarcascades/haarcascade_frontalface_alt2.xml", 3),
        cascade("opencv-lbp-improved", "lbpcascades/lbpcascade_frontalface_improved.xml", 3),
        hog("dlib-hog", 0),
        hog("dlib-hog-up1", 1),
        shim("photoprov-shim", 1, 0.5),
        shim("photoprov-shim-untilted", 0, 0.5),
    };
    const char *landmarks = "/usr/share/dlib/shape_predictor_68_face_landmarks.dat";
    if (FILE *f = std::fopen(landmarks, "rb")) {
        std::fclose(f);
        detectors.push_back(hog_landmarks("dlib-hog+landmarks", landmarks));
    }
    for (int i = 3; i < argc; i++) {
        cv::Mat photo = cv::imread(argv[i], cv::IMREAD_COLOR);  // applies the EXIF orientation
        if (photo.empty()) {
            std::fprintf(stderr, "bench-faces-harness: cannot read %s\n", argv[i]);
            return 1;
        }
        for (int size : sizes) {
            double scale = double(size) / std::max(photo.cols, photo.rows);
            if (scale > 1) scale = 1;
            cv::Mat small, rgb, gray;
            cv::resize(photo, small, cv::Size(), scale, scale, cv::INTER_AREA);
            cv::cvtColor(small, rgb, cv::COLOR_BGR2RGB);
            cv::cvtColor(small, gray, cv::COLOR_BGR2GRAY);
            for (const auto &detector : detectors) {
                std::vector<double> times;
                Boxes found;
                for (int r = 0; r < repeats; r++) {
                    double start = cpu_ms();
                    found = detector.run(rgb, gray);
                    times.push_back(cpu_ms() - start);
                }
                std::sort(times.begin(), times.end());
                std::printf("{\"photo\":\"%s\",\"detector\":\"%s\",\"size\":%d,\"width\":%d,\"height\":%d,"
                            "\"cpu_ms\":%.2f,\"faces\":[",
                            argv[i], detector.name.c_str(), size, photo.cols, photo.rows, times[times.size() / 2]);
                for (size_t f = 0; f < found.size(); f++) {
                    const cv::Rect &b = found[f];
                    std::printf("%s[%d,%d,%d,%d]", f ? "," : "", int(b.x / scale), int(b.y / scale),
                                int(b.width / scale), int(b.height / scale));
                }
                std::printf("]}\n");
                std::fflush(stdout);
            }
        }
    }
    return 0;
}
