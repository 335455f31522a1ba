// The SR writer and reader behind cdicomsr.h: DCMTK's libcmr builds the TID 1500 report; the TID 1410 planar ROI
// groups (which libcmr 3.6.7 lacks) are added as extra content under "Imaging Measurements" (docs/design/sr.md).
#include "dcmtk/config/osconfig.h"

#include "cdicomsr.h"

#include "dcmtk/dcmdata/dcdeftag.h"
#include "dcmtk/dcmdata/dcfilefo.h"
#include "dcmtk/dcmdata/dcistrmb.h"
#include "dcmtk/dcmdata/dcostrmb.h"
#include "dcmtk/dcmdata/dcuid.h"
#include "dcmtk/dcmdata/dcxfer.h"
#include "dcmtk/dcmsr/cmr/init.h"
#include "dcmtk/dcmsr/cmr/tid1500.h"
#include "dcmtk/dcmsr/codes/dcm.h"
#include "dcmtk/dcmsr/dsrdoc.h"
#include "dcmtk/oflog/oflog.h"
#include "dcmtk/oflog/appender.h"
#include "dcmtk/oflog/spi/logevent.h"

#include <charconv>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <string>
#include <sys/stat.h>
#include <vector>

namespace {

/// A failure with the field it concerns; becomes the C error text.
struct Failure : std::runtime_error {
    explicit Failure(const std::string &message) : std::runtime_error(message) {}
};

/// The dcmsr warnings logged on this thread while a document is built (dcmsr reports some problems, e.g. an
/// incomplete content item being written, only in its log).
thread_local std::vector<std::string> *capturedWarnings = nullptr;

class WarningCapture : public dcmtk::log4cplus::Appender {
  public:
    WarningCapture() = default;
    ~WarningCapture() override { destructorImpl(); }
    void close() override {}

  protected:
    void append(const dcmtk::log4cplus::spi::InternalLoggingEvent &event) override {
        if (capturedWarnings != nullptr && event.getLogLevel() >= dcmtk::log4cplus::WARN_LOG_LEVEL) {
            capturedWarnings->emplace_back(event.getMessage().c_str());
        }
    }
};

std::once_flag setup;

/// Loads libcmr's context groups and installs the warning capture on dcmsr's logger, once.
void prepare() {
    std::call_once(setup, [] {
        CMR_ContentMappingResource::initializeAllContextGroups();
        // dcmsr's warnings go only to the capture: while a document is built they are errors; while one is read
        // they are noise (e.g. "The VR checker does not support this Specific Character Set: ISO_IR 192").
        OFLogger logger = OFLog::getLogger("dcmtk.dcmsr");
        logger.addAppender(dcmtk::log4cplus::SharedAppenderPtr(new WarningCapture()));
        logger.setAdditivity(false);
    });
}

/// Collects dcmsr's warnings for the lifetime of one call.
struct WarningScope {
    std::vector<std::string> warnings;
    WarningScope() { capturedWarnings = &warnings; }
    ~WarningScope() { capturedWarnings = nullptr; }
    void check(const std::string &what) const {
        if (!warnings.empty()) throw Failure(what + ": DCMTK: " + warnings.front());
    }
};

std::string text(const char *value) { return value == nullptr ? std::string() : std::string(value); }

void require(const OFCondition &condition, const std::string &what) {
    if (condition.bad()) throw Failure(what + ": " + condition.text());
}

DSRCodedEntryValue code(const csr_code &c, const std::string &what) {
    if (c.value == nullptr || c.scheme == nullptr || c.meaning == nullptr || *c.value == 0 || *c.scheme == 0 ||
        *c.meaning == 0) {
        throw Failure(what + ": a code needs a value, a coding scheme and a meaning");
    }
    DSRCodedEntryValue entry;
    require(entry.setCode(c.value, c.scheme, c.meaning), what + " (" + c.value + ", " + c.scheme + ")");
    return entry;
}

DSRImageReferenceValue imageReference(const csr_image &image, const std::string &what) {
    DSRImageReferenceValue reference;
    require(reference.setReference(text(image.sop_class_uid), text(image.sop_instance_uid)), what);
    if (image.frame > 0) reference.getFrameList().addItem(static_cast<Sint32>(image.frame));
    return reference;
}

/// Copies one attribute from the study's file when it has it.
void copyAttribute(DcmItem &from, DcmItem &to, const DcmTagKey &tag) {
    DcmElement *element = nullptr;
    if (from.findAndGetElement(tag, element).good() && element != nullptr) {
        to.insert(static_cast<DcmElement *>(element->clone()), OFTrue);
    }
}

/// The Patient and General Study attributes of the study's file, converted to UTF-8 and copied.
void copyPatientAndStudy(const char *sourcePath, DcmItem &dataset) {
    if (sourcePath == nullptr || *sourcePath == 0) throw Failure("source_path: a file of the study is needed");
    DcmFileFormat source;
    require(source.loadFile(sourcePath, EXS_Unknown, EGL_noChange, 4096, ERM_autoDetect),
            "the study's file " + text(sourcePath));
    DcmDataset &header = *source.getDataset();
    header.findAndDeleteElement(DCM_PixelData);
    require(header.convertToUTF8(), "the study's file " + text(sourcePath) + ": its names cannot be converted to UTF-8");
    const DcmTagKey tags[] = {DCM_PatientName,   DCM_PatientID,         DCM_IssuerOfPatientID,
                              DCM_PatientBirthDate, DCM_PatientSex,    DCM_StudyDate,
                              DCM_StudyTime,     DCM_StudyID,           DCM_AccessionNumber,
                              DCM_ReferringPhysicianName, DCM_StudyDescription};
    for (const DcmTagKey &tag : tags) copyAttribute(header, dataset, tag);
}

/// The Coding Scheme Identification Sequence: one item per local scheme, with its URL (0008,010E).
void addSchemes(DcmItem &dataset, const csr_document &document) {
    for (size_t index = 0; index < document.scheme_count; index++) {
        const csr_scheme &scheme = document.schemes[index];
        DcmItem *item = nullptr;
        require(dataset.findOrCreateSequenceItem(DCM_CodingSchemeIdentificationSequence, item, -2),
                "coding scheme " + text(scheme.designator));
        require(item->putAndInsertString(DCM_CodingSchemeDesignator, scheme.designator), "coding scheme designator");
        if (scheme.name) require(item->putAndInsertString(DCM_CodingSchemeName, scheme.name), "coding scheme name");
        if (scheme.url) require(item->putAndInsertString(DCM_CodingSchemeURL, scheme.url), "coding scheme URL");
        if (scheme.responsible_organization) {
            require(item->putAndInsertString(DCM_CodingSchemeResponsibleOrganization, scheme.responsible_organization),
                    "coding scheme responsible organization");
        }
    }
}

/// Refuses a value that is not a DICOM UID (digits and dots, at most 64 characters, no empty or zero-led component).
void requireUID(const std::string &uid, const std::string &what) {
    bool valid = !uid.empty() && uid.size() <= 64 && uid.front() != '.' && uid.back() != '.';
    for (size_t index = 0; valid && index < uid.size(); index++) {
        const char character = uid[index];
        const bool componentStart = index == 0 || uid[index - 1] == '.';
        if (character == '.') {
            valid = !componentStart;
        } else {
            valid = character >= '0' && character <= '9' &&
                    !(componentStart && character == '0' && index + 1 < uid.size() && uid[index + 1] != '.');
        }
    }
    if (!valid) throw Failure(what + ": \"" + uid + "\" is not a DICOM UID (digits and dots, at most 64 characters)");
}

/// The document's own identity and times, set on the dataset after dcmsr wrote it (dcmsr makes new UIDs and takes
/// the clock; the caller's are stable and repeatable).
void setIdentity(DcmItem &dataset, const csr_document &document) {
    const std::pair<DcmTagKey, std::string> values[] = {
        {DCM_StudyInstanceUID, text(document.study_instance_uid)},
        {DCM_SeriesInstanceUID, text(document.series_instance_uid)},
        {DCM_SOPInstanceUID, text(document.sop_instance_uid)},
        {DCM_ContentDate, text(document.content_date)},
        {DCM_ContentTime, text(document.content_time)},
        {DCM_InstanceCreationDate, text(document.content_date)},
        {DCM_InstanceCreationTime, text(document.content_time)},
        {DCM_SeriesDate, text(document.content_date)},
        {DCM_SeriesTime, text(document.content_time)},
    };
    for (const auto &value : values) {
        require(dataset.putAndInsertString(value.first, value.second.c_str()), DcmTag(value.first).getTagName());
    }
}

/// The common part of both documents: series, manufacturer, character set, predecessors.
void describe(DSRDocument &doc, const csr_document &document) {
    requireUID(text(document.study_instance_uid), "study_instance_uid");
    requireUID(text(document.series_instance_uid), "series_instance_uid");
    requireUID(text(document.sop_instance_uid), "sop_instance_uid");
    require(doc.setSpecificCharacterSetType(DSRTypes::CS_UTF8), "character set");
    require(doc.createNewSeriesInStudy(text(document.study_instance_uid)), "study_instance_uid");
    require(doc.setSeriesNumber(std::to_string(document.series_number).c_str()), "series_number");
    require(doc.setInstanceNumber(std::to_string(document.instance_number).c_str()), "instance_number");
    if (document.series_description) require(doc.setSeriesDescription(document.series_description), "series_description");
    if (document.manufacturer) require(doc.setManufacturer(document.manufacturer), "manufacturer");
    if (document.software_version) require(doc.setSoftwareVersions(document.software_version), "software_version");
    for (size_t index = 0; index < document.predecessor_count; index++) {
        const csr_image &old = document.predecessors[index];
        require(doc.getPredecessorDocuments().addItem(text(document.study_instance_uid), text(old.series_instance_uid),
                                                      text(old.sop_class_uid), text(old.sop_instance_uid)),
                "predecessor " + text(old.sop_instance_uid));
    }
}

/// Encodes the document with its patient, study and identity as a DICOM file in memory.
void encode(DSRDocument &doc, const csr_document &document, csr_bytes *out) {
    DcmFileFormat file;
    DcmDataset &dataset = *file.getDataset();
    require(doc.write(dataset), "writing the document");
    copyPatientAndStudy(document.source_path, dataset);
    setIdentity(dataset, document);
    addSchemes(dataset, document);
    const E_TransferSyntax syntax = EXS_LittleEndianExplicit;
    require(file.validateMetaInfo(syntax), "file meta information");
    const Uint32 length = file.calcElementLength(syntax, EET_ExplicitLength);
    std::vector<uint8_t> buffer(static_cast<size_t>(length) + 4096);
    DcmOutputBufferStream stream(buffer.data(), buffer.size());
    file.transferInit();
    const OFCondition status = file.write(stream, syntax, EET_ExplicitLength, nullptr);
    file.transferEnd();
    require(status, "encoding the document");
    void *written = nullptr;
    offile_off_t size = 0;
    stream.flushBuffer(written, size);
    out->data = static_cast<uint8_t *>(std::malloc(static_cast<size_t>(size)));
    if (out->data == nullptr) throw Failure("out of memory for the encoded document");
    std::memcpy(out->data, written, static_cast<size_t>(size));
    out->size = static_cast<size_t>(size);
}

/// Adds an extra content item and names it; `mode` places it below or after the current item.
DSRContentItem &addItem(DSRDocumentSubTree &tree, DSRTypes::E_RelationshipType relation, DSRTypes::E_ValueType type,
                        DSRTypes::E_AddMode mode, const DSRCodedEntryValue &name, const std::string &what) {
    if (tree.addContentItem(relation, type, mode) == 0) throw Failure(what + ": cannot be added here");
    DSRContentItem &item = tree.getCurrentContentItem();
    if (!name.isEmpty()) require(item.setConceptName(name), what);
    return item;
}

/// Adds an extra content item to the report's tree (libcmr keeps the cursor on it) and names it.
DSRContentItem &addExtra(TID1500_MeasurementReport &report, DSRTypes::E_RelationshipType relation,
                         DSRTypes::E_ValueType type, DSRTypes::E_AddMode mode, const DSRCodedEntryValue &name,
                         const std::string &what) {
    require(report.addExtraContentItem(relation, type, mode), what);
    DSRContentItem &item = report.getCurrentContentItem();
    if (!name.isEmpty()) require(item.setConceptName(name), what);
    return item;
}

/// The Image Region (SCOORD POINT or POLYLINE) after the current item, with the image it was selected from.
void addImageRegion(TID1500_MeasurementReport &report, const csr_group &group, const std::string &what) {
    DSRSpatialCoordinatesValue region(group.is_polyline ? DSRTypes::GT_Polyline : DSRTypes::GT_Point);
    for (size_t index = 0; index < group.point_count; index++) {
        region.getGraphicDataList().addItem(group.points[2 * index], group.points[2 * index + 1]);
    }
    DSRContentItem &scoord = addExtra(report, DSRTypes::RT_contains, DSRTypes::VT_SCoord, DSRTypes::AM_afterCurrent,
                                      CODE_DCM_ImageRegion, what + " image region");
    require(scoord.setSpatialCoordinates(region), what + " image region");
    DSRContentItem &image = addExtra(report, DSRTypes::RT_selectedFrom, DSRTypes::VT_Image, DSRTypes::AM_belowCurrent,
                                     DSRCodedEntryValue(), what + " image");
    require(image.setImageReference(imageReference(group.image, what + " image")), what + " image");
    if (report.gotoParent() == 0) throw Failure(what + ": tree cursor");
}

/// One finding's group, appended under "Imaging Measurements" item by item: a TID 1410 planar ROI group when it was
/// marked on an image, else a TID 1501 group of qualitative evaluations. libcmr 3.6.7 has no TID 1410 class, and its
/// TID 1501 class insists on a numeric measurement, which a fissure or a grade is not; its TID 1500 is extensible.
void addGroup(TID1500_MeasurementReport &report, const csr_group &group, const std::string &what) {
    if (group.has_region && (group.point_count == 0 || group.points == nullptr)) {
        throw Failure(what + ": an image region needs points");
    }
    if (report.gotoNamedNode(CODE_DCM_ImagingMeasurements) == 0) throw Failure(what + ": no Imaging Measurements");
    DSRContentItem &container = addExtra(report, DSRTypes::RT_contains, DSRTypes::VT_Container,
                                         DSRTypes::AM_belowCurrent, CODE_DCM_MeasurementGroup, what);
    require(container.setTemplateIdentification(group.has_region ? "1410" : "1501", "DCMR",
                                                UID_DICOMContentMappingResource),
            what + " template");
    DSRContentItem &tracking = addExtra(report, DSRTypes::RT_hasObsContext, DSRTypes::VT_Text,
                                        DSRTypes::AM_belowCurrent, CODE_DCM_TrackingIdentifier,
                                        what + " tracking identifier");
    require(tracking.setStringValue(text(group.tracking_id)), what + " tracking identifier");
    DSRContentItem &uid = addExtra(report, DSRTypes::RT_hasObsContext, DSRTypes::VT_UIDRef, DSRTypes::AM_afterCurrent,
                                   CODE_DCM_TrackingUniqueIdentifier, what + " tracking UID");
    require(uid.setStringValue(text(group.tracking_uid)), what + " tracking UID");
    DSRContentItem &finding = addExtra(report, DSRTypes::RT_contains, DSRTypes::VT_Code, DSRTypes::AM_afterCurrent,
                                       CODE_DCM_Finding, what + " finding");
    require(finding.setCodeValue(code(group.finding, what + " finding")), what + " finding");
    if (group.has_region) addImageRegion(report, group, what);
    if (group.site.value != nullptr) {
        DSRContentItem &site = addExtra(report, DSRTypes::RT_hasConceptMod, DSRTypes::VT_Code,
                                        DSRTypes::AM_afterCurrent, DSRCodedEntryValue("363698007", "SCT", "Finding Site"),
                                        what + " finding site");
        require(site.setCodeValue(code(group.site, what + " finding site")), what + " finding site");
    }
    for (size_t index = 0; index < group.evaluation_count; index++) {
        const csr_evaluation &evaluation = group.evaluations[index];
        const std::string item = what + " evaluation " + std::to_string(index + 1);
        const DSRCodedEntryValue name = code(evaluation.name, item + " name");
        if (evaluation.text != nullptr) {
            DSRContentItem &entry =
                addExtra(report, DSRTypes::RT_contains, DSRTypes::VT_Text, DSRTypes::AM_afterCurrent, name, item);
            require(entry.setStringValue(evaluation.text), item);
        } else {
            DSRContentItem &entry =
                addExtra(report, DSRTypes::RT_contains, DSRTypes::VT_Code, DSRTypes::AM_afterCurrent, name, item);
            require(entry.setCodeValue(code(evaluation.code, item + " value")), item);
        }
    }
}

/// Current Requested Procedure Evidence: every image the document references.
void addEvidence(DSRDocument &doc, const csr_document &document, const csr_image &image, const std::string &what) {
    require(doc.getCurrentRequestedProcedureEvidence().addItem(text(document.study_instance_uid),
                                                               text(image.series_instance_uid),
                                                               text(image.sop_class_uid), text(image.sop_instance_uid)),
            what);
}

void buildReport(const csr_report &input, csr_bytes *out) {
    WarningScope warnings;
    TID1500_MeasurementReport report(CID7021_MeasurementReportDocumentTitles::ImagingMeasurementReport);
    require(report.setLanguage(CID5000_Languages::English_US), "language");
    if (input.device_uid != nullptr) {
        require(report.getObservationContext().addDeviceObserver(text(input.device_uid), text(input.device_name),
                                                                 text(input.document.manufacturer),
                                                                 text(input.device_name)),
                "device observer");
    }
    for (size_t index = 0; index < input.observer_count; index++) {
        require(report.getObservationContext().addPersonObserver(text(input.observers[index]), text(input.organization)),
                "observer " + std::to_string(index + 1));
    }
    require(report.addProcedureReported(
                CID100_QuantitativeDiagnosticImagingProcedures(code(input.procedure, "procedure reported"))),
            "procedure reported");
    for (size_t index = 0; index < input.group_count; index++) {
        const csr_group &group = input.groups[index];
        addGroup(report, group, "group " + std::to_string(index + 1) + " (" + text(group.tracking_id) + ")");
    }
    for (size_t index = 0; index < input.evaluation_count; index++) {
        const csr_evaluation &evaluation = input.evaluations[index];
        const std::string what = "report evaluation " + std::to_string(index + 1);
        if (evaluation.text != nullptr) {
            require(report.addQualitativeEvaluation(code(evaluation.name, what), OFString(evaluation.text)), what);
        } else {
            require(report.addQualitativeEvaluation(code(evaluation.name, what), code(evaluation.code, what)), what);
        }
    }
    if (!report.getObservationContext().isValid()) throw Failure("observer context: no person or device observer");
    if (!report.isValid()) throw Failure("the report is not a valid TID 1500 (no findings and no evaluations?)");
    DSRDocument doc;
    require(doc.setTreeFromRootTemplate(report, OFTrue), "the report tree");
    describe(doc, input.document);
    for (size_t index = 0; index < input.group_count; index++) {
        if (input.groups[index].has_region) addEvidence(doc, input.document, input.groups[index].image, "evidence");
    }
    if (input.verifier_count > 0) {
        require(doc.completeDocument(text(input.completion_description)), "completion");
        for (size_t index = 0; index < input.verifier_count; index++) {
            const csr_verifier &verifier = input.verifiers[index];
            require(doc.verifyDocument(text(verifier.name), text(verifier.organization), text(verifier.datetime)),
                    "verifier " + text(verifier.name));
        }
    } else {
        require(doc.setPreliminaryFlag(DSRTypes::PF_Preliminary), "preliminary flag");
    }
    if (!doc.isValid()) throw Failure("the document is not valid");
    encode(doc, input.document, out);
    warnings.check("the report");
}

void buildKeyObjects(const csr_key_objects &input, csr_bytes *out) {
    WarningScope warnings;
    if (input.image_count == 0) throw Failure("images: a key object selection needs at least one image");
    DSRDocument doc(DSRTypes::DT_KeyObjectSelectionDocument);
    DSRDocumentTree &tree = doc.getTree();
    if (tree.addContentItem(DSRTypes::RT_isRoot, DSRTypes::VT_Container) == 0) throw Failure("root container");
    require(tree.getCurrentContentItem().setConceptName(CODE_DCM_OfInterest), "document title");
    require(tree.getCurrentContentItem().setTemplateIdentification("2010", "DCMR", UID_DICOMContentMappingResource),
            "template");
    if (input.description != nullptr && *input.description != 0) {
        DSRContentItem &description = addItem(tree, DSRTypes::RT_contains, DSRTypes::VT_Text,
                                              DSRTypes::AM_belowCurrent, CODE_DCM_KeyObjectDescription, "description");
        require(description.setStringValue(input.description), "description");
    }
    for (size_t index = 0; index < input.image_count; index++) {
        const std::string what = "image " + std::to_string(index + 1);
        const bool first = index == 0 && (input.description == nullptr || *input.description == 0);
        DSRContentItem &image = addItem(tree, DSRTypes::RT_contains, DSRTypes::VT_Image,
                                        first ? DSRTypes::AM_belowCurrent : DSRTypes::AM_afterCurrent,
                                        DSRCodedEntryValue(), what);
        require(image.setImageReference(imageReference(input.images[index], what)), what);
        addEvidence(doc, input.document, input.images[index], what);
    }
    describe(doc, input.document);
    if (!doc.isValid()) throw Failure("the key object selection is not valid");
    encode(doc, input.document, out);
    warnings.check("the key object selection");
}

/// Percent-encodes '%', TAB, LF, CR and other control characters.
std::string field(const std::string &value) {
    static const char hex[] = "0123456789ABCDEF";
    std::string result;
    result.reserve(value.size());
    for (unsigned char character : value) {
        if (character < 0x20 || character == '%' || character == 0x7F) {
            result += '%';
            result += hex[character >> 4];
            result += hex[character & 15];
        } else {
            result += static_cast<char>(character);
        }
    }
    return result;
}

std::string codeFields(const DSRCodedEntryValue &entry) {
    return field(entry.getCodeValue().c_str()) + "\t" + field(entry.getCodingSchemeDesignator().c_str()) + "\t" +
           field(entry.getCodeMeaning().c_str());
}

std::string itemLine(DSRDocumentTree &tree) {
    DSRContentItem &item = tree.getCurrentContentItem();
    const DSRTypes::E_ValueType type = item.getValueType();
    std::string line = std::to_string(tree.getLevel()) + "\t" +
                       field(DSRTypes::relationshipTypeToDefinedTerm(item.getRelationshipType())) + "\t" +
                       field(DSRTypes::valueTypeToDefinedTerm(type)) + "\t" + codeFields(item.getConceptName());
    OFString templateID, resource;
    item.getTemplateIdentification(templateID, resource);
    line += "\t" + field(templateID.c_str());
    switch (type) {
    case DSRTypes::VT_Code:
        line += "\t" + codeFields(item.getCodeValue());
        break;
    case DSRTypes::VT_Num: {
        const DSRNumericMeasurementValue &number = item.getNumericValue();
        line += "\t" + field(number.getNumericValue().c_str()) + "\t" + codeFields(number.getMeasurementUnit());
        break;
    }
    case DSRTypes::VT_SCoord: {
        DSRSpatialCoordinatesValue coordinates = item.getSpatialCoordinates();
        std::string points;
        const DSRGraphicDataList &list = coordinates.getGraphicDataList();
        for (size_t index = 1; index <= list.getNumberOfItems(); index++) {
            Float32 column = 0, row = 0;
            list.getItem(index, column, row);
            if (!points.empty()) points += ",";
            // The shortest text that reads back as the same float: a point marked at 120.3 reads as 120.3.
            for (const Float32 value : {column, row}) {
                char buffer[32];
                const std::to_chars_result written = std::to_chars(buffer, buffer + sizeof buffer, value);
                points.append(buffer, written.ptr);
                points += ',';
            }
            points.pop_back();
        }
        line += "\t" + field(DSRTypes::graphicTypeToEnumeratedValue(coordinates.getGraphicType())) + "\t" + points;
        break;
    }
    case DSRTypes::VT_Image:
    case DSRTypes::VT_Composite: {
        const DSRCompositeReferenceValue &reference =
            type == DSRTypes::VT_Image ? item.getImageReference() : item.getCompositeReference();
        std::string frames;
        if (type == DSRTypes::VT_Image) {
            const DSRImageFrameList &list = item.getImageReference().getFrameList();
            for (size_t index = 1; index <= list.getNumberOfItems(); index++) {
                Sint32 frame = 0;
                list.getItem(index, frame);
                if (!frames.empty()) frames += ",";
                frames += std::to_string(frame);
            }
        }
        line += "\t" + field(reference.getSOPClassUID().c_str()) + "\t" +
                field(reference.getSOPInstanceUID().c_str()) + "\t" + frames;
        break;
    }
    case DSRTypes::VT_Container:
        line += "\t" + field(item.getContinuityOfContent() == DSRTypes::COC_Continuous ? "CONTINUOUS" : "SEPARATE");
        break;
    default:
        line += "\t" + field(item.getStringValue().c_str());
        break;
    }
    return line + "\n";
}

void readDocument(const char *path, size_t maxFileSize, size_t maxItems, csr_bytes *out) {
    struct stat status {};
    if (path == nullptr || stat(path, &status) != 0) throw Failure("cannot read the file: " + std::string(std::strerror(errno)));
    if (!S_ISREG(status.st_mode)) throw Failure("not a regular file");
    if (static_cast<size_t>(status.st_size) > maxFileSize) {
        throw Failure("the file is " + std::to_string(status.st_size) + " bytes; a report is at most " +
                      std::to_string(maxFileSize));
    }
    DcmFileFormat file;
    require(file.loadFile(path, EXS_Unknown, EGL_noChange, DCM_MaxReadLength, ERM_autoDetect), "not a DICOM file");
    DSRDocument doc;
    require(doc.read(*file.getDataset(), 0), "not a structured report DCMTK can read");
    OFString sopClass, study, series, instance;
    doc.getSOPClassUID(sopClass);
    doc.getStudyInstanceUID(study);
    doc.getSeriesInstanceUID(series);
    doc.getSOPInstanceUID(instance);
    DSRDocumentTree &tree = doc.getTree();
    std::string result = "document\t" + field(sopClass.c_str()) + "\t" + field(study.c_str()) + "\t" +
                         field(series.c_str()) + "\t" + field(instance.c_str()) + "\t" +
                         field(DSRTypes::completionFlagToEnumeratedValue(doc.getCompletionFlag())) + "\t" +
                         field(DSRTypes::verificationFlagToEnumeratedValue(doc.getVerificationFlag())) + "\n";
    size_t count = 0;
    if (tree.gotoRoot() > 0) {
        do {
            if (++count > maxItems) {
                throw Failure("the report has more than " + std::to_string(maxItems) + " content items");
            }
            result += itemLine(tree);
        } while (tree.iterate() > 0);
    }
    out->data = static_cast<uint8_t *>(std::malloc(result.size() + 1));
    if (out->data == nullptr) throw Failure("out of memory");
    std::memcpy(out->data, result.data(), result.size());
    out->data[result.size()] = 0;
    out->size = result.size();
}

template <typename Body> int guarded(csr_bytes *out, char *error, size_t errorSize, Body body) noexcept {
    std::string message;
    try {
        prepare();
        out->data = nullptr;
        out->size = 0;
        body();
        return 0;
    } catch (const std::exception &failure) {
        message = failure.what();
    } catch (...) {
        message = "unexpected C++ exception";
    }
    if (out->data != nullptr) {
        std::free(out->data);
        out->data = nullptr;
        out->size = 0;
    }
    if (error != nullptr && errorSize > 0) std::snprintf(error, errorSize, "%s", message.c_str());
    return -1;
}

} // namespace

extern "C" {

int csr_write_report(const csr_report *report, csr_bytes *out, char *error, size_t error_size) noexcept {
    return guarded(out, error, error_size, [&] { buildReport(*report, out); });
}

int csr_write_key_objects(const csr_key_objects *document, csr_bytes *out, char *error, size_t error_size) noexcept {
    return guarded(out, error, error_size, [&] { buildKeyObjects(*document, out); });
}

void csr_bytes_free(csr_bytes *bytes) noexcept {
    if (bytes == nullptr) return;
    std::free(bytes->data);
    bytes->data = nullptr;
    bytes->size = 0;
}

int csr_read_document(const char *path, size_t max_file_size, size_t max_items, csr_bytes *out, char *error,
                      size_t error_size) noexcept {
    return guarded(out, error, error_size, [&] { readDocument(path, max_file_size, max_items, out); });
}

} // extern "C"
