// The SR reader as `annulus annotate import --sr` uses it: the bounded pre-scan and header parse of every DICOM file
// (cd_file_open), then, for what passes, DCMTK's SR document reader flattened into content items (csr_read_document).
#include "harness.hpp"

#include "cdicomsr.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz::initialiseOnce();
    const char *path = fuzz::pathWith(data, size);
    cd_open_options options = fuzz::openOptions(true);
    options.max_sequence_depth = 128;  // SRDocumentReader's bound
    cd_error error{};
    cd_file *file = cd_file_open(path, &options, &error);
    if (!file) return 0;
    cd_file_close(file);
    csr_bytes out{};
    char message[256];
    if (csr_read_document(path, 64u << 20, 100000, &out, message, sizeof message) == 0) {
        if (out.data == nullptr || out.data[out.size] != 0) abort();  // the text is NUL-terminated
        csr_bytes_free(&out);
    }
    return 0;
}
