#ifndef FACEDETECT_H
#define FACEDETECT_H
// Face detection over dlib's frontal-face HOG detector (built into libdlib: no model file), with dlib's optional
// 68-point landmark model for eye positions. A C API over C++: every exception is caught at this boundary and
// becomes a status code plus a lower-case message. No global mutable state: a model's detector and landmarks are
// immutable once made, and each fd_detect call scans with its own copy of the detector's scratch state (taken from
// the model's mutex-guarded pool of idle copies, and given back), so one model serves many threads.
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define FD_MESSAGE_SIZE 256

/// Outcome of every fd_ call; mirrors FaceDetectionError.Reason on the Swift side.
enum {
    FD_OK = 0,
    FD_BAD_IMAGE = 1,         // empty, or the byte count does not match width*height*3
    FD_MODEL_MISSING = 2,     // the landmark model file does not exist
    FD_MODEL_UNREADABLE = 3,  // the landmark model exists but cannot be read or parsed
    FD_OUT_OF_MEMORY = 4,
    FD_FAILED = 5,
};

/// A status code and, when not FD_OK, a lower-case reason.
typedef struct fd_status {
    int code;
    char message[FD_MESSAGE_SIZE];
} fd_status;

/// One detected face, in pixels of the image given to fd_detect (continuous coordinates, origin top left).
typedef struct fd_face {
    double x, y, width, height;  // the detector's box; may reach past the image's edges for a face cut by them
    double confidence;           // dlib's detection score: at least min_confidence, higher is clearer
    int has_eyes;                // 1 when the landmark model gave the eye centres below
    double left_eye_x, left_eye_y;    // the eye on the image's left (the person's right eye)
    double right_eye_x, right_eye_y;  // the eye on the image's right
} fd_face;

/// The faces found by fd_detect; release with fd_result_free.
typedef struct fd_result {
    fd_status status;
    fd_face *faces;  // malloc'd, `count` entries, largest box first
    int count;
} fd_result;

/// The detector and, optionally, the landmark model; opaque.
typedef struct fd_model fd_model;

// In C++ because dlib is a C++ library; loads the built-in HOG detector (its five filters: looking ahead, left,
// right, and ahead with the head tilted either way; `tilted` 0 keeps the first three, about 20% less CPU) and,
// when `landmarks_path` is not NULL, dlib's shape_predictor_68_face_landmarks.dat. `vectorized` 1 scans with the
// detector's AVX2 and FMA build when the CPU has both (the same boxes for about two thirds of the CPU), 0 always
// with the portable one. NULL on failure, with `status` saying why.
fd_model *fd_model_create(const char *landmarks_path, int tilted, int vectorized, fd_status *status);

// In C++ because the model is a C++ object. 1 when `model` scans with the AVX2 and FMA build.
int fd_model_vectorized(const fd_model *model);

// In C++ because it destroys dlib objects.
void fd_model_free(fd_model *model);

// In C++ because it runs dlib's detector. Finds faces in `width`×`height` RGB8 pixels (rows top to bottom, no
// padding) scoring at least `min_confidence`; when the longest side exceeds `detect_side` (> 0) the detector runs
// on a copy shrunk to that side and the boxes are scaled back. Faces are at least about 80 pixels at the size
// detected on. Returns FD_OK or a code.
int fd_detect(const fd_model *model, const unsigned char *rgb, size_t size, int width, int height, int detect_side,
              double min_confidence, fd_result *result);

// In C++ because it frees what fd_detect allocated.
void fd_result_free(fd_result *result);

#ifdef __cplusplus
}
#endif

#endif
