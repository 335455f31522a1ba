// codec_info.hpp: the pixel module a codec harness pretends the DICOM header declared, read loosely from the
// codestream's SIZ segment (so that most inputs get past the size checks and reach the codec), bounded.
#pragma once

#include <cstring>

#include "harness.hpp"

namespace fuzz {

inline uint32_t be32(const uint8_t *p) { return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3]; }

/// Fills `info` from SIZ at its usual place (SOC, SIZ, Lsiz, Rsiz, Xsiz...). False when the frame would exceed
/// kMaxDecodedBytes or the bytes are too short to hold SIZ.
inline bool infoFromSIZ(const uint8_t *data, size_t size, cd_pixel_info &info) {
    std::memset(&info, 0, sizeof(info));
    if (size < 45) return false;
    const uint8_t *siz = data + 6;  // after SOC, the SIZ marker and Lsiz
    const uint32_t xsiz = be32(siz + 2), ysiz = be32(siz + 6), xo = be32(siz + 10), yo = be32(siz + 14);
    info.columns = xsiz > xo ? xsiz - xo : 1;
    info.rows = ysiz > yo ? ysiz - yo : 1;
    info.samples_per_pixel = data[41] == 3 ? 3 : 1;
    const uint32_t precision = (data[42] & 0x7F) + 1u;
    info.bits_allocated = precision > 8 ? 16 : 8;
    info.bits_stored = precision > 16 ? 16 : precision;
    info.high_bit = info.bits_stored - 1;
    info.frames = 1;
    info.stored_frame_bytes = uint64_t(info.rows) * info.columns * info.samples_per_pixel * (info.bits_allocated / 8);
    std::snprintf(info.photometric, sizeof(info.photometric), "%s", info.samples_per_pixel == 3 ? "YBR_RCT" : "MONOCHROME2");
    return info.stored_frame_bytes <= kMaxDecodedBytes;
}

}  // namespace fuzz
