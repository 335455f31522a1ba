// One frame's HTJ2K codestream straight into the shim's OpenJPH path: header validation,
// then decoding into a buffer of the declared size.
#include <vector>

#include "codec_info.hpp"
#include "jpeg2000.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    cd_pixel_info info;
    if (!fuzz::infoFromSIZ(data, size, info)) info = cd_pixel_info{64, 64, 1, 16, 16, 15, 0, 0, 1, 8192, "MONOCHROME2"};
    std::vector<uint8_t> out(info.stored_frame_bytes);
    char colorModel[32];
    cd_error error{};
    cd_status status = cdicom::decodeHTJ2K(data, size, info, out.data(), out.size(), info.photometric, colorModel, &error);
    fuzz::report(status, error);
    return 0;
}
