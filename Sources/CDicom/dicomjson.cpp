// dicomjson.cpp: a data set as DICOM JSON (PS3.18 F.2) through DCMTK's own writer (DcmDataset::writeJson with a
// DcmJsonFormatCompact), for DICOMweb's metadata. Bulk data never goes inline: pixel data of every kind, and any
// binary value (OB, OW, OF, OD, OL, OV, UN) longer than the caller's limit, is written as a BulkDataURI. The output
// is bounded: past the caller's byte limit the stream fails and the call reports CD_ERR_TOO_LARGE. Like every
// entry point of cdicom.h it is noexcept and catches everything.
#include "cdicom.h"

#include <cstdlib>
#include <cstring>
#include <new>
#include <ostream>
#include <set>
#include <streambuf>
#include <string>

#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dcdatset.h"
#include "dcmtk/dcmdata/dcdeftag.h"
#include "dcmtk/dcmdata/dcelem.h"
#include "dcmtk/dcmdata/dcjson.h"
#include "dcmtk/dcmdata/dcstack.h"

#include "prescan.hpp"

using cdicom::setError;

namespace {

/// A string buffer that refuses to grow past `limit` bytes (the stream then fails; DCMTK keeps writing to nothing).
class BoundedBuffer : public std::streambuf {
  public:
    explicit BoundedBuffer(size_t limit) : limit_(limit) {}
    std::string text;
    bool overflowed = false;

  protected:
    int_type overflow(int_type character) override {
        if (character == traits_type::eof()) return traits_type::not_eof(character);
        if (text.size() >= limit_) {
            overflowed = true;
            return traits_type::eof();
        }
        text.push_back(static_cast<char>(character));
        return character;
    }

    std::streamsize xsputn(const char *data, std::streamsize count) override {
        if (count < 0) return 0;
        size_t room = limit_ - text.size();
        if (static_cast<size_t>(count) > room) {
            text.append(data, room);
            overflowed = true;
            return static_cast<std::streamsize>(room);
        }
        text.append(data, static_cast<size_t>(count));
        return count;
    }

  private:
    size_t limit_;
};

/// Whether an element of this VR holds binary values that may be bulk data.
bool isBinary(DcmEVR vr) {
    switch (vr) {
    case EVR_OB:
    case EVR_OW:
    case EVR_ox:
    case EVR_px:
    case EVR_OF:
    case EVR_OD:
    case EVR_OL:
    case EVR_OV:
    case EVR_UN:
        return true;
    default:
        return false;
    }
}

/// The compact format, answering "bulk data" for the tags collected beforehand.
class BulkDataFormat : public DcmJsonFormatCompact {
  public:
    BulkDataFormat(std::string prefix, std::set<DcmTagKey> bulk)
        : DcmJsonFormatCompact(OFFalse), prefix_(std::move(prefix)), bulk_(std::move(bulk)) {}

    OFBool asBulkDataURI(const DcmTagKey &tag, OFString &uri) override {
        if (bulk_.count(tag) == 0) return OFFalse;
        char hex[9];
        snprintf(hex, sizeof(hex), "%04X%04X", tag.getGroup(), tag.getElement());
        uri = (prefix_ + hex).c_str();
        return OFTrue;
    }

  private:
    std::string prefix_;
    std::set<DcmTagKey> bulk_;
};

}  // namespace

extern "C" {

cd_status cd_file_dicom_json(cd_file *file, const char *bulk_data_uri_prefix, uint32_t inline_limit,
                             uint64_t max_bytes, char **json, size_t *length, cd_error *error) noexcept {
    *json = nullptr;
    *length = 0;
    try {
        DcmDataset *dataset = reinterpret_cast<DcmDataset *>(cd_file_dataset(file));
        if (dataset == nullptr) return setError(error, CD_ERR_INTERNAL, "the file has no data set");
        // Which tags are bulk data: pixel data always (native or encapsulated, DCMTK writes either as a URI), any
        // binary value over the limit. A tag marked anywhere is a URI everywhere (asBulkDataURI sees only the tag).
        std::set<DcmTagKey> bulk{DCM_PixelData, DCM_FloatPixelData, DCM_DoubleFloatPixelData};
        DcmStack stack;
        while (dataset->nextObject(stack, OFTrue).good()) {
            DcmObject *object = stack.top();
            if (object == nullptr || !object->isLeaf()) continue;
            if (isBinary(object->ident()) && object->getLength() > inline_limit) bulk.insert(object->getTag());
        }
        BulkDataFormat format(bulk_data_uri_prefix ? bulk_data_uri_prefix : "", bulk);
        BoundedBuffer buffer(static_cast<size_t>(max_bytes));
        std::ostream out(&buffer);
        // DcmDataset::writeJson writes the attributes without the enclosing braces; writeJsonExt adds them.
        OFCondition condition = dataset->writeJsonExt(out, format, OFTrue, OFTrue);
        if (buffer.overflowed)
            return setError(error, CD_ERR_TOO_LARGE,
                            "the header as DICOM JSON is larger than %llu bytes", (unsigned long long)max_bytes);
        if (condition.bad())
            return setError(error, CD_ERR_MALFORMED, "DCMTK cannot write the header as DICOM JSON: %s",
                            condition.text());
        char *copy = static_cast<char *>(std::malloc(buffer.text.size() + 1));
        if (copy == nullptr) return setError(error, CD_ERR_INTERNAL, "out of memory");
        std::memcpy(copy, buffer.text.data(), buffer.text.size());
        copy[buffer.text.size()] = '\0';
        *json = copy;
        *length = buffer.text.size();
        return CD_OK;
    } catch (const std::bad_alloc &) {
        return setError(error, CD_ERR_INTERNAL, "out of memory");
    } catch (const std::exception &exception) {
        return setError(error, CD_ERR_INTERNAL, "internal error: %s", exception.what());
    } catch (...) {
        return setError(error, CD_ERR_INTERNAL, "internal error: unknown C++ exception");
    }
}

}  // extern "C"
