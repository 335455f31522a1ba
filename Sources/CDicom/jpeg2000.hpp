// jpeg2000.hpp: JPEG 2000 frames through OpenJPEG and High-Throughput JPEG 2000 through OpenJPH (DCMTK 3.6.7
// decodes neither).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "cdicom.h"
#include "prescan.hpp"

namespace cdicom {

/// True for the JPEG 2000 transfer syntaxes this build decodes (1.2.840.10008.1.2.4.90 and .91).
inline bool isJPEG2000(const char *uid) {
    return uid && (std::strcmp(uid, "1.2.840.10008.1.2.4.90") == 0 || std::strcmp(uid, "1.2.840.10008.1.2.4.91") == 0);
}

/// Decodes one frame's JPEG 2000 codestream (or JP2 file) into `out` as interleaved stored samples of
/// `info.bits_allocated` bits, after checking components and size against `info`; `colorModel` receives the
/// photometric interpretation of the samples (RGB after a YBR_RCT/YBR_ICT transform).
cd_status decodeJPEG2000(const uint8_t *data, size_t size, const cd_pixel_info &info, void *out, uint64_t outSize,
                         const char *photometric, char colorModel[32], cd_error *error);

/// True for the High-Throughput JPEG 2000 transfer syntaxes (1.2.840.10008.1.2.4.201, .202, .203).
inline bool isHTJ2K(const char *uid) {
    return uid && (std::strcmp(uid, "1.2.840.10008.1.2.4.201") == 0 || std::strcmp(uid, "1.2.840.10008.1.2.4.202") == 0 ||
                   std::strcmp(uid, "1.2.840.10008.1.2.4.203") == 0);
}

/// Decodes one frame's HTJ2K codestream through OpenJPH; the same contract as `decodeJPEG2000`.
cd_status decodeHTJ2K(const uint8_t *data, size_t size, const cd_pixel_info &info, void *out, uint64_t outSize,
                      const char *photometric, char colorModel[32], cd_error *error);

}  // namespace cdicom
