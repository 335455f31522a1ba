// codestream.hpp: cheap checks of compressed frame headers before a codec sees them.
//
// Catching C++ exceptions does not help against what the codecs do with inconsistent headers: OpenJPH 0.9
// (built with assertions on Debian) aborts on bad COD values, raises SIGFPE on a zero tile size, allocates
// gigabytes for oversized code-blocks and loops forever on a tile origin past the image origin; DCMTK's
// per-frame RLE decoder reads past its fragment when a segment offset points beyond it. These functions parse
// the few header fields that matter, and refuse anything inconsistent with CD_ERR_DECODE (the frame cannot be
// decoded, as for any damaged codestream; the header stays readable) and a message naming the field and value.
#pragma once

#include <cstddef>
#include <cstdint>

#include "cdicom.h"

namespace cdicom {

/// The main-header facts of a JPEG 2000 / HTJ2K codestream, as parsed by `validateJ2KHeader`.
struct J2KHeader {
    uint32_t width = 0, height = 0;  // Xsiz - XOsiz, Ysiz - YOsiz
    uint32_t components = 0;         // Csiz
    uint32_t precision = 0;          // bits of component 0
    uint32_t levels = 0;             // decomposition levels of COD
    bool reversible = false;         // COD transform 1 (5-3 wavelet)
};

/// Checks the main header of a raw JPEG 2000 codestream (SOC ... first SOT): SIZ (image and tile geometry,
/// components, precision, sub-sampling), COD and COC (progression order, layers, colour transform,
/// decomposition levels, code-block size and style, transform, precincts) and QCD/QCC (quantization style),
/// against each other and against the DICOM pixel module in `info` (Rows, Columns, SamplesPerPixel).
/// `codec` names the codec in messages ("JPEG 2000", "HTJ2K"). Fills `header` when not null.
cd_status validateJ2KHeader(const uint8_t *data, size_t size, const cd_pixel_info &info, const char *codec,
                            J2KHeader *header, cd_error *error);

/// Finds the contiguous codestream box (jp2c) of a JP2 file. Returns CD_OK with its extent, or
/// CD_ERR_DECODE when the box structure is broken or holds no codestream.
cd_status jp2Codestream(const uint8_t *data, size_t size, size_t &offset, size_t &length, cd_error *error);

/// Checks one frame's RLE header (PS3.5 G.5) against the fragment that holds it, as DCMTK's per-frame
/// decoder will read it: the fragment holds the 64-byte header, the segment count is 1..15 and equals
/// SamplesPerPixel x BitsAllocated/8, the first offset is 64 and every offset lies inside the fragment,
/// strictly increasing. `frame` (0-based) is for messages.
cd_status validateRLEFrame(const uint8_t *fragment, size_t size, const cd_pixel_info &info, uint32_t frame,
                           cd_error *error);

/// Checks the SOF segment of a JPEG (ITU-T T.81) or JPEG-LS (T.87) frame against the pixel module: lines and
/// samples per line equal Rows and Columns (0 lines, defined later by DNL, is accepted), the component count
/// equals SamplesPerPixel and the precision is 2..16. Frames without an SOF before the first scan are refused.
cd_status validateJPEGFrame(const uint8_t *data, size_t size, const cd_pixel_info &info, uint32_t frame,
                            cd_error *error);

}  // namespace cdicom
