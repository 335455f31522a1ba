// The bounded pre-scan alone, over arbitrary bytes: it must never crash, hang or allocate without bound.
#include "harness.hpp"
#include "prescan.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz::initialiseOnce();
    cdicom::PrescanFacts facts;
    cd_error error{};
    cdicom::prescanFile(fuzz::pathWith(data, size), 64, fuzz::kMaxDecodedBytes, facts, &error);
    return 0;
}
