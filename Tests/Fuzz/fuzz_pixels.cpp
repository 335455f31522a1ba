// The pixel path: open with pixels, pixel info, decode every frame (at most kMaxFrames), render to 8 bits.
#include <vector>

#include "harness.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz::initialiseOnce();
    cd_open_options options = fuzz::openOptions(false);
    cd_error error{};
    cd_file *file = cd_file_open(fuzz::pathWith(data, size), &options, &error);
    if (!file) return 0;
    cd_pixel_info info;
    if (cd_file_pixel_info(file, &info, &error) == CD_OK) {
        std::vector<uint8_t> frame(info.stored_frame_bytes);
        std::vector<uint8_t> rendered(uint64_t(info.rows) * info.columns * 3);
        const uint32_t frames = info.frames < fuzz::kMaxFrames ? info.frames : fuzz::kMaxFrames;
        char colorModel[32];
        for (uint32_t index = 0; index < frames; index++)
            cd_file_decode_stored_frame(file, index, frame.data(), frame.size(), colorModel, &error);
        uint32_t samples = 0;
        cd_status status = cd_file_render_frame8(file, 0, CD_VOI_FILE_WINDOW_OR_MIN_MAX, 0, 0, 0, rendered.data(),
                                                 rendered.size(), &samples, &error);
        fuzz::report(status, error);  // of the first rendering: replays expect refusals
        if (frames > 1)
            cd_file_render_frame8(file, frames - 1, CD_VOI_MIN_MAX, 0, 0, 0, rendered.data(), rendered.size(),
                                  &samples, &error);
    }
    cd_file_close(file);
    return 0;
}
