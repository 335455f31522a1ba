// The header reader as DicomIO uses it: open header-only, then walk every element of the meta header and the
// data set, nested sequences included, reading strings, doubles and integers; transfer syntax and pixel info.
#include "harness.hpp"

namespace {

void walk(cd_item *item, int depth) {
    if (!item || depth > 80) return;
    const uint32_t count = cd_item_count(item);
    for (uint32_t index = 0; index < count; index++) {
        cd_element *element = cd_item_at(item, index);
        if (!element) continue;
        uint16_t group = 0, tag = 0;
        cd_element_tag(element, &group, &tag);
        char vr[3];
        cd_element_vr(element, vr);
        (void)cd_element_length(element);
        const uint32_t vm = cd_element_vm(element);
        if (char *text = cd_element_string(element)) cd_free(text);
        for (uint32_t value = 0; value < vm && value < 16; value++) {
            double real = 0;
            int64_t integer = 0;
            cd_element_double(element, value, &real);
            cd_element_int64(element, value, &integer);
        }
        const uint32_t items = cd_element_item_count(element);
        for (uint32_t i = 0; i < items; i++) walk(cd_element_item(element, i), depth + 1);
        if (cd_item_find(item, group, tag) == nullptr) abort();  // every listed element can be found
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz::initialiseOnce();
    cd_open_options options = fuzz::openOptions(true);
    cd_error error{};
    cd_file *file = cd_file_open(fuzz::pathWith(data, size), &options, &error);
    if (!file) return 0;
    walk(cd_file_meta(file), 0);
    walk(cd_file_dataset(file), 0);
    cd_transfer_syntax_info syntax;
    cd_transfer_syntax_describe(cd_file_transfer_syntax_uid(file), &syntax);
    (void)cd_uid_name(cd_file_transfer_syntax_uid(file));
    (void)cd_file_warnings(file);
    cd_pixel_info info;
    cd_file_pixel_info(file, &info, &error);
    cd_file_close(file);
    return 0;
}
