// corpus_check: the pixel path over real files, built with AddressSanitizer and UBSan (scripts/fuzz --corpus):
// for every path given, open it fully, read pixel info, decode every frame and render every frame to 8 bits.
// Failures of the files themselves are expected and only counted; a sanitizer report aborts the run.
#include <cstdio>
#include <vector>

#include "harness.hpp"

int main(int argc, char **argv) {
    fuzz::initialiseOnce();
    unsigned opened = 0, decodedFrames = 0, refusedFiles = 0, failedFrames = 0;
    for (int index = 1; index < argc; index++) {
        cd_open_options options = fuzz::openOptions(false);
        options.max_decoded_bytes = 1ull << 30;  // the application's default bound for one image
        cd_error error{};
        cd_file *file = cd_file_open(argv[index], &options, &error);
        if (!file) {
            refusedFiles++;
            continue;
        }
        opened++;
        cd_pixel_info info;
        if (cd_file_pixel_info(file, &info, &error) == CD_OK) {
            std::vector<uint8_t> frame(info.stored_frame_bytes);
            std::vector<uint8_t> rendered(uint64_t(info.rows) * info.columns * 3);
            char colorModel[32];
            for (uint32_t number = 0; number < info.frames; number++) {
                uint32_t samples = 0;
                if (cd_file_decode_stored_frame(file, number, frame.data(), frame.size(), colorModel, &error) == CD_OK)
                    decodedFrames++;
                else {
                    failedFrames++;
                    if (getenv("FUZZ_VERBOSE")) fprintf(stderr, "%s frame %u: %s\n", argv[index], number, error.message);
                }
                cd_file_render_frame8(file, number, CD_VOI_FILE_WINDOW_OR_MIN_MAX, 0, 0, 0, rendered.data(),
                                      rendered.size(), &samples, &error);
            }
        }
        cd_file_close(file);
    }
    printf("corpus_check: %d file(s): %u opened, %u refused at open; %u frame(s) decoded, %u refused\n", argc - 1,
           opened, refusedFiles, decodedFrames, failedFrames);
    return 0;
}
