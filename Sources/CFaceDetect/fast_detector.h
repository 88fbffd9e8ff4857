#ifndef FACEDETECT_FAST_DETECTOR_H
#define FACEDETECT_FAST_DETECTOR_H
// The detector's scan compiled a second time for AVX2 and FMA (fast_detector.cpp), chosen at run time when the CPU
// has them: the same boxes (every box of ../shared/corpus and the codec's photo corpus identical, scores within
// 1e-6) in about two thirds of the CPU. Internal to CFaceDetect: only std types cross, never dlib's.
#include <memory>
#include <mutex>
#include <vector>

namespace facedetect {

/// Copies of a detector for calls to scan with: dlib's object_detector keeps its feature pyramid and scratch images
/// in itself, so one copy per call at a time, and reused, keeps those buffers (the same size from photo to photo)
/// instead of allocating and faulting them in again. At most `kept` idle copies are held.
template <typename Detector>
class scratch_pool {
  public:
    explicit scratch_pool(const Detector &prototype) : prototype_(prototype) {}

    /// An idle copy, or a new one; give it back when done.
    std::unique_ptr<Detector> take() {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (!idle_.empty()) {
                std::unique_ptr<Detector> detector = std::move(idle_.back());
                idle_.pop_back();
                return detector;
            }
        }
        return std::make_unique<Detector>(prototype_);
    }

    void give(std::unique_ptr<Detector> detector) {
        std::lock_guard<std::mutex> lock(mutex_);
        if (idle_.size() < kept) idle_.push_back(std::move(detector));
    }

    const Detector &prototype() const { return prototype_; }

  private:
    static constexpr size_t kept = 16;
    const Detector prototype_;
    std::mutex mutex_;
    std::vector<std::unique_ptr<Detector>> idle_;
};

/// The scanner settings and filters of a frontal-face detector, copied out of dlib's own.
struct scan_settings {
    unsigned long window_width, window_height, cell_size, padding, min_layer_width, min_layer_height, max_levels;
    double iou_threshold, covered_threshold;
    std::vector<std::vector<double>> filters;  // each detector's weights, bias last
};

/// One box found: dlib's rectangle edges (inclusive) and its score.
struct found_box {
    long left, top, right, bottom;
    double confidence;
};

struct fast_detector;

/// nullptr when this build or this CPU has no AVX2 and FMA; throws std::bad_alloc.
fast_detector *fast_detector_create(const scan_settings &settings);
void fast_detector_free(fast_detector *detector);

/// Scans `grey` (`width`×`height`, rows `stride` bytes apart) as dlib's object_detector would, on a copy of the
/// detector taken from its scratch_pool, keeping boxes scored at least `min_confidence`; throws std::bad_alloc.
std::vector<found_box> fast_detector_scan(fast_detector *detector, const unsigned char *grey, long width,
                                          long height, long stride, double min_confidence);

}  // namespace facedetect

#endif
