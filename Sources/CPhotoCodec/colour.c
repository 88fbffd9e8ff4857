// Colour management over Little CMS: pixels described by an embedded ICC profile (JPEG APP2, PNG iCCP, HEIF colr,
// WebP ICCP) or an HEIF nclx description become sRGB. In C so the decoders transform rows as they come, before any
// resampling, without crossing into Swift.
#include <lcms2.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/// Profiles larger than this are ignored (with a warning): no photo's profile is near it.
#define PC_MAX_PROFILE_BYTES (8u * 1024u * 1024u)

static void on_lcms_error(cmsContext context, cmsUInt32Number code, const char *text) {
    (void)code;
    pc_colour *colour = cmsGetContextUserData(context);
    if (colour && !colour->warning[0]) snprintf(colour->warning, sizeof colour->warning, "%s", text);
}

/// The lcms2 pixel format of `kind` when the profile's colour space is `space`; 0 when they cannot match.
static cmsUInt32Number input_format(int kind, cmsColorSpaceSignature space) {
    switch (kind) {
    case PC_COLOUR_RGB:
        if (space == cmsSigRgbData) return TYPE_RGB_8;
        // A grey profile on expanded grey pixels: read the first byte of each pixel, skip the copies.
        if (space == cmsSigGrayData) return COLORSPACE_SH(PT_GRAY) | CHANNELS_SH(1) | EXTRA_SH(2) | BYTES_SH(1);
        return 0;
    case PC_COLOUR_RGBA:
        if (space == cmsSigRgbData) return TYPE_RGBA_8;
        if (space == cmsSigGrayData) return COLORSPACE_SH(PT_GRAY) | CHANNELS_SH(1) | EXTRA_SH(3) | BYTES_SH(1);
        return 0;
    case PC_COLOUR_CMYK:
        return space == cmsSigCmykData ? TYPE_CMYK_8 : 0;
    case PC_COLOUR_CMYK_INVERTED:
        return space == cmsSigCmykData ? TYPE_CMYK_8_REV : 0;
    default:
        return 0;
    }
}

static const char *kind_name(int kind) {
    return kind == PC_COLOUR_CMYK || kind == PC_COLOUR_CMYK_INVERTED ? "cmyk" : "rgb";
}

/// Whether the transform leaves every colour of a 9-level grid within one step: an sRGB profile in other words,
/// so the pixels can stay as they are (and cost nothing).
static int is_identity(cmsHTRANSFORM transform, int kind) {
    if (kind != PC_COLOUR_RGB && kind != PC_COLOUR_RGBA) return 0;
    enum { levels = 9, count = levels * levels * levels };
    unsigned char in[count * 4], out[count * 4];
    int channels = kind == PC_COLOUR_RGBA ? 4 : 3, n = 0;
    for (int r = 0; r < levels; r++) {
        for (int g = 0; g < levels; g++) {
            for (int b = 0; b < levels; b++, n++) {
                unsigned char *p = in + n * channels;
                p[0] = (unsigned char)(r * 255 / (levels - 1));
                p[1] = (unsigned char)(g * 255 / (levels - 1));
                p[2] = (unsigned char)(b * 255 / (levels - 1));
                if (channels == 4) p[3] = 255;
            }
        }
    }
    cmsDoTransform(transform, in, out, count);
    for (int i = 0; i < count; i++) {
        for (int c = 0; c < 3; c++) {
            int d = (int)in[i * channels + c] - (int)out[i * channels + c];
            if (d > 1 || d < -1) return 0;
        }
    }
    return 1;
}

/// Builds the transform from `profile` (owned here) to sRGB; on failure leaves a warning and no transform.
static void open_transform(pc_colour *colour, cmsHPROFILE profile, int kind) {
    if (!profile) {
        if (!colour->warning[0]) snprintf(colour->warning, sizeof colour->warning, "cannot be read");
        return;
    }
    cmsColorSpaceSignature space = cmsGetColorSpace(profile);
    cmsUInt32Number in = input_format(kind, space);
    if (!in) {
        snprintf(colour->warning, sizeof colour->warning, "does not describe %s pixels", kind_name(kind));
        cmsCloseProfile(profile);
        return;
    }
    cmsUInt32Number out = kind == PC_COLOUR_RGBA ? TYPE_RGBA_8 : TYPE_RGB_8;
    cmsHPROFILE srgb = cmsCreate_sRGBProfileTHR(colour->context);
    cmsHTRANSFORM transform =
        srgb ? cmsCreateTransformTHR(colour->context, profile, in, srgb, out, INTENT_PERCEPTUAL, 0) : NULL;
    if (srgb) cmsCloseProfile(srgb);
    cmsCloseProfile(profile);
    if (!transform) {
        if (!colour->warning[0]) snprintf(colour->warning, sizeof colour->warning, "cannot be applied");
        return;
    }
    if (is_identity(transform, kind)) {
        cmsDeleteTransform(transform);
        return;
    }
    colour->transform = transform;
    colour->kind = kind;
}

static int start(pc_colour *colour) {
    memset(colour, 0, sizeof *colour);
    colour->context = cmsCreateContext(NULL, colour);
    if (!colour->context) {
        snprintf(colour->warning, sizeof colour->warning, "out of memory");
        return -1;
    }
    cmsSetLogErrorHandlerTHR(colour->context, on_lcms_error);
    return 0;
}

void pc_colour_open_icc(pc_colour *colour, const unsigned char *icc, size_t size, int kind) {
    if (start(colour)) return;
    if (size > PC_MAX_PROFILE_BYTES) {
        snprintf(colour->warning, sizeof colour->warning, "is larger than 8 MB");
        return;
    }
    open_transform(colour, cmsOpenProfileFromMemTHR(colour->context, icc, (cmsUInt32Number)size), kind);
    if (!colour->transform && colour->warning[0]) {
        char reason[sizeof colour->warning];
        memcpy(reason, colour->warning, sizeof reason);
        snprintf(colour->warning, sizeof colour->warning, "embedded colour profile ignored (%s): shown as srgb",
                 reason);
    }
}

/// The transfer curve of an H.273 transfer characteristic as an ICC parametric curve (type 4); 0 when unknown.
static int transfer_curve(int transfer, double params[7]) {
    switch (transfer) {
    case 13:  // sRGB (IEC 61966-2-1)
        params[0] = 2.4, params[1] = 1 / 1.055, params[2] = 0.055 / 1.055, params[3] = 1 / 12.92,
        params[4] = 0.04045;
        return 1;
    case 1: case 6: case 14: case 15:  // BT.709, BT.601, BT.2020: the same curve
        params[0] = 1 / 0.45, params[1] = 1 / 1.099, params[2] = 0.099 / 1.099, params[3] = 1 / 4.5,
        params[4] = 0.081;
        return 1;
    default:
        return 0;
    }
}

void pc_colour_open_nclx(pc_colour *colour, int primaries, int transfer, int kind) {
    memset(colour, 0, sizeof *colour);
    // BT.709 primaries (1) or unspecified (2) with an sRGB-like curve are sRGB as far as a profile photo goes.
    if (primaries == 1 || primaries == 2) return;
    // H.273 colour primaries (x, y of red, green, blue), all with a D65 white.
    static const struct { int code; double xy[6]; } table[] = {
        {9, {0.708, 0.292, 0.170, 0.797, 0.131, 0.046}},   // BT.2020
        {11, {0.680, 0.320, 0.265, 0.690, 0.150, 0.060}},  // DCI-P3 primaries (here with D65: P3-D65)
        {12, {0.680, 0.320, 0.265, 0.690, 0.150, 0.060}},  // Display P3 (SMPTE EG 432-1)
        {5, {0.640, 0.330, 0.290, 0.600, 0.150, 0.060}},   // BT.601 625
        {6, {0.630, 0.340, 0.310, 0.595, 0.155, 0.070}},   // BT.601 525
    };
    const double *xy = NULL;
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        if (table[i].code == primaries) xy = table[i].xy;
    }
    if (start(colour)) return;
    double params[7] = {0};
    if (!xy || !transfer_curve(transfer == 2 ? 13 : transfer, params)) {
        snprintf(colour->warning, sizeof colour->warning,
                 "colour description (primaries %d, transfer %d) not supported: shown as srgb", primaries, transfer);
        return;
    }
    cmsCIExyY white = {0.3127, 0.3290, 1.0};
    cmsCIExyYTRIPLE rgb = {{xy[0], xy[1], 1.0}, {xy[2], xy[3], 1.0}, {xy[4], xy[5], 1.0}};
    cmsToneCurve *curve = cmsBuildParametricToneCurve(colour->context, 4, params);
    cmsToneCurve *curves[3] = {curve, curve, curve};
    cmsHPROFILE profile = curve ? cmsCreateRGBProfileTHR(colour->context, &white, &rgb, curves) : NULL;
    if (curve) cmsFreeToneCurve(curve);
    open_transform(colour, profile, kind);
}

void pc_colour_rows(const pc_colour *colour, const unsigned char *in, unsigned char *out, size_t pixels) {
    cmsDoTransform(colour->transform, in, out, (cmsUInt32Number)pixels);
    if (colour->kind == PC_COLOUR_RGBA) {
        for (size_t i = 0; i < pixels; i++) out[i * 4 + 3] = in[i * 4 + 3];  // lcms leaves alpha alone
    }
}

void pc_colour_close(pc_colour *colour) {
    if (colour->transform) cmsDeleteTransform(colour->transform);
    if (colour->context) cmsDeleteContext(colour->context);
    colour->transform = NULL;
    colour->context = NULL;
}
