// The Query/Retrieve SCU of `annulus pull`: C-FIND and C-MOVE (Study Root, STUDY level) with DCMTK's DcmSCU, Nagle
// off, every wait bounded, the number of matches capped; and the Storage SCU that sends local files by C-STORE. Runs
// only in the `annulus-dicom-query` process (a PACS's answers are parsed by DCMTK here; a crash ends that process,
// never `annulus serve`).
#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dcdeftag.h"
#include "dcmtk/dcmdata/dcdict.h"
#include "dcmtk/dcmdata/dcfilefo.h"
#include "dcmtk/dcmdata/dcuid.h"
#include "dcmtk/dcmdata/dcxfer.h"
#include "dcmtk/dcmnet/dcmlayer.h"
#include "dcmtk/dcmnet/dcmtrans.h"
#include "dcmtk/dcmnet/dul.h"
#include "dcmtk/dcmnet/scu.h"
#include "dcmtk/oflog/oflog.h"

#include "cdicomnet.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace {

/// The first bytes the PACS sent on the association. DcmSCU keeps an A-ASSOCIATE-RJ's result, source and reason to
/// itself (it only logs them); they are the bytes 7 to 9 of that PDU, the first the PACS sends.
struct FirstBytes {
    unsigned char bytes[10] = {};
    size_t count = 0;
};

/// A TCP connection that copies the first bytes it reads into a `FirstBytes` (which outlives it).
class RecordingConnection : public DcmTCPConnection {
  public:
    RecordingConnection(DcmNativeSocketType socket, FirstBytes *first) : DcmTCPConnection(socket), first(first) {}

    ssize_t read(void *buf, size_t nbyte) override {
        ssize_t got = DcmTCPConnection::read(buf, nbyte);
        if (got > 0 && first->count < sizeof first->bytes) {
            size_t take = std::min((size_t)got, sizeof first->bytes - first->count);
            memcpy(first->bytes + first->count, buf, take);
            first->count += take;
        }
        return got;
    }

  private:
    FirstBytes *first;
};

/// Hands DCMTK's sockets over with Nagle's algorithm off (Debian's DCMTK leaves it on: ~45 ms per message), recording
/// the first bytes the PACS answers with.
struct NoDelayLayer : public DcmTransportLayer {
    FirstBytes first;

    DcmTransportConnection *createConnection(DcmNativeSocketType socket, OFBool) override {
        int one = 1;
        setsockopt(socket, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        first = FirstBytes();
        return new RecordingConnection(socket, &first);
    }
};

/// Why the PACS rejected the association, from its A-ASSOCIATE-RJ (PS3.8 9.3.4): "" when the first bytes are not
/// one. `transient` is set for result 2 (rejected transient).
std::string rejection(const FirstBytes &first, bool &transient) {
    transient = false;
    if (first.count < 10 || first.bytes[0] != 0x03) return "";
    unsigned result = first.bytes[7], source = first.bytes[8], reason = first.bytes[9];
    transient = result == 2;
    const char *why = "no reason given";
    if (source == 1 && reason == 2) why = "application context name not supported";
    if (source == 1 && reason == 3) why = "calling AE title not recognized";
    if (source == 1 && reason == 7) why = "called AE title not recognized";
    if (source == 2 && reason == 2) why = "protocol version not supported";
    if (source == 3 && reason == 1) why = "temporary congestion";
    if (source == 3 && reason == 2) why = "local limit exceeded";
    char text[160];
    snprintf(text, sizeof text, "%s rejection, %s; result %u, source %u, reason %u",
             transient ? "transient" : "permanent", why, result, source, reason);
    return text;
}

/// Matches past the cap and responses after a C-CANCEL that a PACS may still send before its final one; past
/// this the association is aborted (a PACS streaming pending responses forever).
const unsigned kResponsesAfterCancel = 1000;
/// Responses to one C-MOVE beyond which the PACS is taken to be misbehaving (one pending per sub-operation).
const unsigned kMaxMoveResponses = 1000000;

/// A DcmSCU whose C-FIND and C-MOVE responses are handled one at a time (never collected in memory), and whose
/// C-STORE keeps the response's Error Comment (DcmSCU::sendSTORERequest drops the status detail).
class QuerySCU : public DcmSCU {
  public:
    using DcmSCU::findPresentationContext;
    using DcmSCU::useSecureConnection;

    cdn_study_handler studyHandler = nullptr;
    cdn_move_handler moveHandler = nullptr;
    void *context = nullptr;
    unsigned maxMatches = 1000;
    cdn_find_outcome findOutcome = {};
    cdn_move_outcome moveOutcome = {};
    bool cancelled = false;
    unsigned afterCancel = 0;
    bool gaveUp = false;

  protected:
    OFCondition handleFINDResponse(const T_ASC_PresentationContextID presID, QRResponse *response,
                                   OFBool &waitForNextResponse) override {
        waitForNextResponse = OFFalse;
        if (response == nullptr) return EC_IllegalParameter;
        findOutcome.final_status = response->m_status;
        bool pending = response->m_status == 0xFF00 || response->m_status == 0xFF01;
        if (!pending) return EC_Normal;  // the final response
        waitForNextResponse = OFTrue;
        if (cancelled) {
            if (++afterCancel > kResponsesAfterCancel) {
                gaveUp = true;
                waitForNextResponse = OFFalse;
            }
            return EC_Normal;
        }
        if (findOutcome.matches >= maxMatches) {
            findOutcome.truncated = 1;
            cancelled = true;
            sendCANCELRequest(presID);
            return EC_Normal;
        }
        if (response->m_dataset != nullptr) {
            findOutcome.matches++;
            deliver(*response->m_dataset);
        }
        return EC_Normal;
    }

    OFCondition handleMOVEResponse(const T_ASC_PresentationContextID, RetrieveResponse *response,
                                   OFBool &waitForNextResponse) override {
        waitForNextResponse = OFFalse;
        if (response == nullptr) return EC_IllegalParameter;
        cdn_move_outcome &outcome = moveOutcome;
        outcome.responses++;
        outcome.final_status = response->m_status;
        if (response->m_numberOfCompletedSubops > outcome.completed)
            outcome.completed = response->m_numberOfCompletedSubops;
        if (response->m_numberOfFailedSubops > outcome.failed) outcome.failed = response->m_numberOfFailedSubops;
        if (response->m_numberOfWarningSubops > outcome.warning) outcome.warning = response->m_numberOfWarningSubops;
        outcome.remaining = response->m_numberOfRemainingSubops;
        if (response->m_statusDetail != nullptr) {
            OFString comment;
            if (response->m_statusDetail->findAndGetOFString(DCM_ErrorComment, comment).good()) {
                snprintf(outcome.error_comment, sizeof outcome.error_comment, "%.64s", comment.c_str());
            }
        }
        bool pending = response->m_status == 0xFF00;
        if (pending && outcome.responses < kMaxMoveResponses) waitForNextResponse = OFTrue;
        if (pending && outcome.responses >= kMaxMoveResponses) gaveUp = true;
        return EC_Normal;
    }

  public:
    /// One C-STORE of `dataset` (already in the transfer syntax of `presID`), as DcmSCU::sendSTORERequest sends it
    /// on an accepted presentation context; the response's status and Error Comment. A bad condition leaves the
    /// association in an unknown state: abort it.
    OFCondition store(T_ASC_PresentationContextID presID, DcmDataset *dataset, const OFString &sopClass,
                      const OFString &sopInstance, Uint16 &status, std::string &comment) {
        T_DIMSE_Message request;
        memset(&request, 0, sizeof request);
        request.CommandField = DIMSE_C_STORE_RQ;
        T_DIMSE_C_StoreRQ &store = request.msg.CStoreRQ;
        store.MessageID = ++lastMessageID;
        OFStandard::strlcpy(store.AffectedSOPClassUID, sopClass.c_str(), sizeof store.AffectedSOPClassUID);
        OFStandard::strlcpy(store.AffectedSOPInstanceUID, sopInstance.c_str(), sizeof store.AffectedSOPInstanceUID);
        store.DataSetType = DIMSE_DATASET_PRESENT;
        store.Priority = DIMSE_PRIORITY_MEDIUM;
        OFCondition condition = sendDIMSEMessage(presID, &request, dataset);
        if (condition.bad()) return condition;
        T_DIMSE_Message response;
        memset(&response, 0, sizeof response);
        DcmDataset *detail = nullptr;
        T_ASC_PresentationContextID responseID = presID;
        condition = receiveDIMSECommand(&responseID, &response, &detail);
        if (condition.good()
            && (response.CommandField != DIMSE_C_STORE_RSP
                || response.msg.CStoreRSP.MessageIDBeingRespondedTo != store.MessageID)) {
            condition = DIMSE_BADCOMMANDTYPE;
        }
        if (condition.good()) {
            status = response.msg.CStoreRSP.DimseStatus;
            OFString text;
            if (detail != nullptr && detail->findAndGetOFString(DCM_ErrorComment, text).good()) {
                comment.assign(text.c_str(), std::min<size_t>(text.length(), 64));
            }
        }
        delete detail;
        return condition;
    }

  private:
    /// Message IDs of this association's C-STOREs (nothing else is sent on it).
    Uint16 lastMessageID = 0;

    void deliver(DcmDataset &dataset) {
        // Values in the PACS's character set become UTF-8 where DCMTK can convert them (else they stay as sent,
        // and the caller's validation refuses what is not UTF-8).
        if (dataset.tagExists(DCM_SpecificCharacterSet)) dataset.convertToUTF8();
        std::string values[9];
        const DcmTagKey tags[9] = {DCM_StudyInstanceUID, DCM_StudyDate,      DCM_StudyTime,
                                   DCM_StudyDescription, DCM_ModalitiesInStudy, DCM_AccessionNumber,
                                   DCM_PatientID,        DCM_PatientName,    DCM_NumberOfStudyRelatedInstances};
        for (int i = 0; i < 9; i++) {
            OFString value;
            // All values of a multi-valued attribute (ModalitiesInStudy), backslash-separated as sent.
            if (dataset.findAndGetOFStringArray(tags[i], value).good()) values[i] = value.c_str();
        }
        cdn_study_match match = {values[0].c_str(), values[1].c_str(), values[2].c_str(),
                                 values[3].c_str(), values[4].c_str(), values[5].c_str(),
                                 values[6].c_str(), values[7].c_str(), values[8].c_str()};
        if (studyHandler != nullptr) studyHandler(&match, context);
    }
};

/// Which CDN_SCU_ code a failed DCMTK condition is.
int classify(const OFCondition &condition) {
    if (condition == DUL_ASSOCIATIONREJECTED) return CDN_SCU_REJECTED;
    if (condition == DUL_READTIMEOUT || condition == DIMSE_NODATAAVAILABLE) return CDN_SCU_TIMEOUT;
    if (condition.module() == OFM_dcmnet && condition.code() == DULC_TCPINITERROR) return CDN_SCU_UNREACHABLE;
    std::string text = condition.text();
    if (text.find("Timeout") != std::string::npos || text.find("timed out") != std::string::npos)
        return CDN_SCU_TIMEOUT;
    if (text.find("Rejected") != std::string::npos) return CDN_SCU_REJECTED;
    return CDN_SCU_FAILED;
}

/// Sets up `scu` for `peer` (AE titles, address, timeouts); CDN_SCU_BAD_REQUEST when the peer is incomplete.
int configure(DcmSCU &scu, const cdn_scu_peer *peer, char *error, size_t errorSize) {
    if (peer == nullptr || peer->host == nullptr || peer->called_ae == nullptr || peer->calling_ae == nullptr
        || peer->port == 0 || peer->port > 65535) {
        snprintf(error, errorSize, "no PACS host, port or AE titles given");
        return CDN_SCU_BAD_REQUEST;
    }
    scu.setAETitle(peer->calling_ae);
    scu.setPeerHostName(peer->host);
    scu.setPeerPort((Uint16)peer->port);
    scu.setPeerAETitle(peer->called_ae);
    scu.setConnectionTimeout((Sint32)peer->connect_timeout);
    dcmConnectionTimeout.set((Sint32)peer->connect_timeout);
    scu.setACSETimeout(peer->acse_timeout);
    scu.setDIMSEBlockingMode(DIMSE_NONBLOCKING);
    scu.setDIMSETimeout(peer->dimse_timeout);
    dcmSocketReceiveTimeout.set((Sint32)peer->dimse_timeout);
    dcmSocketSendTimeout.set((Sint32)peer->dimse_timeout);
    return CDN_SCU_OK;
}

/// Opens the association with the presentation contexts already added; on failure `error` says why and the
/// CDN_SCU_ code is returned (a rejection's result, source and reason from the PACS's A-ASSOCIATE-RJ).
int associate(QuerySCU &scu, NoDelayLayer &layer, char *error, size_t errorSize, OFCondition &condition) {
    condition = scu.initNetwork();
    // After initNetwork (before it, DCMTK silently ignores the layer): DCMTK then hands every socket to it.
    if (condition.good()) condition = scu.useSecureConnection(&layer);
    if (condition.good()) condition = scu.negotiateAssociation();
    if (condition.good()) return CDN_SCU_OK;
    if (condition == DUL_ASSOCIATIONREJECTED) {
        bool transient = false;
        std::string why = rejection(layer.first, transient);
        snprintf(error, errorSize, "%s", why.empty() ? condition.text() : why.c_str());
        return transient ? CDN_SCU_BUSY : CDN_SCU_REJECTED;
    }
    snprintf(error, errorSize, "%s", condition.text());
    return classify(condition);
}

/// Sets up `scu` for `peer` with the SOP class `sopClass` and opens the association.
int connect(QuerySCU &scu, NoDelayLayer &layer, const cdn_scu_peer *peer, const char *sopClass, char *error,
            size_t errorSize) {
    int configured = configure(scu, peer, error, errorSize);
    if (configured != CDN_SCU_OK) return configured;
    OFList<OFString> syntaxes;
    syntaxes.push_back(UID_LittleEndianExplicitTransferSyntax);
    syntaxes.push_back(UID_LittleEndianImplicitTransferSyntax);
    scu.addPresentationContext(sopClass, syntaxes);
    OFCondition condition;
    int opened = associate(scu, layer, error, errorSize, condition);
    if (opened != CDN_SCU_OK) return opened;
    if (scu.findPresentationContextID(sopClass, "") == 0) {
        snprintf(error, errorSize, "the PACS does not accept %s", sopClass);
        scu.releaseAssociation();
        return CDN_SCU_NO_CONTEXT;
    }
    return CDN_SCU_OK;
}

/// Puts a key into the query (an empty value asks for the attribute back).
void key(DcmDataset &query, const DcmTagKey &tag, const char *value) {
    query.putAndInsertString(tag, value != nullptr ? value : "");
}

/// Presentation contexts one association may propose (odd IDs 1 to 255).
const size_t kMaxPresentationContexts = 128;

/// A file to send, as its header says; `problem` when it cannot be sent.
struct Outgoing {
    std::string sopClass, sopInstance, transferSyntax, problem;
};

/// Reads `path` as a DICOM Part-10 file (preamble and meta header required); values over 4 KiB stay on disk until
/// they are sent.
OFCondition load(const char *path, DcmFileFormat &file) {
    return file.loadFile(OFFilename(path), EXS_Unknown, EGL_noChange, 4096, ERM_fileOnly);
}

/// Whether `syntax` is Explicit or Implicit VR Little Endian (the context every file's SOP class is offered in).
bool isLittleEndian(const std::string &syntax) {
    return syntax == UID_LittleEndianExplicitTransferSyntax || syntax == UID_LittleEndianImplicitTransferSyntax;
}

/// The SOP class, instance and transfer syntax of the file at `path`, or why it cannot be sent.
Outgoing inspect(const char *path) {
    Outgoing file;
    // A Part-10 file has "DICM" after its 128-byte preamble (DCMTK's own error for anything else is obscure).
    char prefix[132] = {};
    FILE *stream = path != nullptr ? fopen(path, "rb") : nullptr;
    size_t got = stream != nullptr ? fread(prefix, 1, sizeof prefix, stream) : 0;
    if (stream != nullptr) fclose(stream);
    if (stream != nullptr && (got < sizeof prefix || memcmp(prefix + 128, "DICM", 4) != 0)) {
        file.problem = "not sent: not a DICOM Part-10 file (no DICM prefix after the 128-byte preamble)";
        return file;
    }
    DcmFileFormat format;
    OFCondition condition = path != nullptr ? load(path, format) : EC_IllegalParameter;
    if (condition.bad()) {
        file.problem = std::string("not sent: cannot read it as a DICOM Part-10 file (") + condition.text() + ")";
        return file;
    }
    OFString sopClass, sopInstance, syntax;
    format.getDataset()->findAndGetOFString(DCM_SOPClassUID, sopClass);
    format.getDataset()->findAndGetOFString(DCM_SOPInstanceUID, sopInstance);
    format.getMetaInfo()->findAndGetOFString(DCM_TransferSyntaxUID, syntax);
    if (sopClass.empty() || sopInstance.empty()) {
        file.problem = "not sent: the file has no SOP Class UID or SOP Instance UID";
        return file;
    }
    if (syntax.empty() || DcmXfer(syntax.c_str()).getXfer() == EXS_Unknown) {
        file.problem = "not sent: the file's transfer syntax is missing or unknown to DCMTK";
        return file;
    }
    file.sopClass = sopClass.c_str();
    file.sopInstance = sopInstance.c_str();
    file.transferSyntax = syntax.c_str();
    return file;
}

/// The name of a UID for messages (DCMTK's dictionary), or the UID itself.
std::string uidName(const std::string &uid) { return dcmFindNameOfUID(uid.c_str(), uid.c_str()); }

/// Hands `handler` the outcome of a file that was not sent.
void notSent(cdn_store_handler handler, const char *path, const std::string &why, void *context) {
    cdn_store_outcome outcome = {};
    outcome.status = 0xFFFF;
    snprintf(outcome.comment, sizeof outcome.comment, "%s", why.c_str());
    if (handler != nullptr) handler(path, &outcome, context);
}

}  // namespace

extern "C" int cdn_scu_prepare(char *error, size_t error_size) CDN_NOEXCEPT {
    try {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        signal(SIGPIPE, SIG_IGN);
        struct rlimit none = {0, 0};
        setrlimit(RLIMIT_CORE, &none);
        OFLog::configure(OFLogger::OFF_LOG_LEVEL);
        if (!dcmDataDict.isDictionaryLoaded()) {
            snprintf(error, error_size,
                     "DCMTK's data dictionary is not loaded (install libdcmtk17, or set DCMDICTPATH to dicom.dic)");
            return 1;
        }
        return 0;
    } catch (...) {
        snprintf(error, error_size, "cannot prepare the query process");
        return 1;
    }
}

extern "C" int cdn_scu_find(const cdn_scu_peer *peer, const cdn_study_keys *keys, unsigned max_matches,
                            cdn_study_handler handler, void *context, cdn_find_outcome *outcome, char *error,
                            size_t error_size) CDN_NOEXCEPT {
    try {
        if (keys == nullptr || outcome == nullptr) {
            snprintf(error, error_size, "no query keys");
            return CDN_SCU_BAD_REQUEST;
        }
        *outcome = {};
        outcome->final_status = 0xFFFF;
        NoDelayLayer layer;
        QuerySCU scu;
        scu.findOutcome.final_status = 0xFFFF;
        scu.studyHandler = handler;
        scu.context = context;
        scu.maxMatches = max_matches;
        const char *sopClass = UID_FINDStudyRootQueryRetrieveInformationModel;
        int connected = connect(scu, layer, peer, sopClass, error, error_size);
        if (connected != CDN_SCU_OK) return connected;
        DcmDataset query;
        key(query, DCM_QueryRetrieveLevel, "STUDY");
        // UTF-8 keys; the PACS answers in its own character set (converted back in deliver).
        key(query, DCM_SpecificCharacterSet, "ISO_IR 192");
        key(query, DCM_StudyInstanceUID, keys->study_instance_uid);
        key(query, DCM_StudyDate, keys->study_date);
        key(query, DCM_StudyTime, "");
        key(query, DCM_StudyDescription, "");
        key(query, DCM_ModalitiesInStudy, keys->modalities_in_study);
        key(query, DCM_AccessionNumber, keys->accession_number);
        key(query, DCM_PatientID, keys->patient_id);
        key(query, DCM_PatientName, keys->patient_name);
        key(query, DCM_NumberOfStudyRelatedInstances, "");
        OFCondition condition = scu.sendFINDRequest(scu.findPresentationContextID(sopClass, ""), &query, nullptr);
        *outcome = scu.findOutcome;
        if (condition.bad() || scu.gaveUp) {
            snprintf(error, error_size, "%s",
                     scu.gaveUp ? "the PACS kept sending matches after it was asked to stop" : condition.text());
            scu.abortAssociation();
            return condition.bad() ? classify(condition) : CDN_SCU_FAILED;
        }
        scu.releaseAssociation();
        return CDN_SCU_OK;
    } catch (const std::exception &caught) {
        snprintf(error, error_size, "%s", caught.what());
        return CDN_SCU_FAILED;
    } catch (...) {
        snprintf(error, error_size, "unknown failure in the C-FIND");
        return CDN_SCU_FAILED;
    }
}

extern "C" int cdn_scu_move(const cdn_scu_peer *peer, const char *destination_ae, const char *const *study_uids,
                            size_t count, cdn_move_handler handler, void *context, char *error,
                            size_t error_size) CDN_NOEXCEPT {
    try {
        if (destination_ae == nullptr || (study_uids == nullptr && count > 0)) {
            snprintf(error, error_size, "no move destination or studies");
            return CDN_SCU_BAD_REQUEST;
        }
        NoDelayLayer layer;
        QuerySCU scu;
        const char *sopClass = UID_MOVEStudyRootQueryRetrieveInformationModel;
        int connected = connect(scu, layer, peer, sopClass, error, error_size);
        if (connected != CDN_SCU_OK) return connected;
        T_ASC_PresentationContextID context_id = scu.findPresentationContextID(sopClass, "");
        for (size_t i = 0; i < count; i++) {
            DcmDataset identifier;
            key(identifier, DCM_QueryRetrieveLevel, "STUDY");
            key(identifier, DCM_StudyInstanceUID, study_uids[i]);
            scu.moveOutcome = {};
            scu.moveOutcome.final_status = 0xFFFF;
            OFCondition condition = scu.sendMOVERequest(context_id, destination_ae, &identifier, nullptr);
            if (condition.bad() || scu.gaveUp) {
                snprintf(error, error_size, "%s",
                         scu.gaveUp ? "the PACS sent pending C-MOVE responses without end" : condition.text());
                scu.abortAssociation();
                return condition.bad() ? classify(condition) : CDN_SCU_FAILED;
            }
            if (handler != nullptr) handler(study_uids[i], &scu.moveOutcome, context);
        }
        scu.releaseAssociation();
        return CDN_SCU_OK;
    } catch (const std::exception &caught) {
        snprintf(error, error_size, "%s", caught.what());
        return CDN_SCU_FAILED;
    } catch (...) {
        snprintf(error, error_size, "unknown failure in the C-MOVE");
        return CDN_SCU_FAILED;
    }
}

extern "C" int cdn_scu_store(const cdn_scu_peer *peer, const char *const *paths, size_t count,
                             cdn_store_handler handler, void *context, char *error, size_t error_size) CDN_NOEXCEPT {
    try {
        if (paths == nullptr && count > 0) {
            snprintf(error, error_size, "no files to send");
            return CDN_SCU_BAD_REQUEST;
        }
        NoDelayLayer layer;
        QuerySCU scu;
        int configured = configure(scu, peer, error, error_size);
        if (configured != CDN_SCU_OK) return configured;
        // Each file's SOP class in its own transfer syntax (when that is not little endian) and in Explicit and
        // Implicit VR Little Endian: one context per distinct pair, so the PACS may accept the one and not the other.
        std::vector<Outgoing> files;
        std::set<std::pair<std::string, std::string>> proposed;
        size_t sendable = 0;
        for (size_t i = 0; i < count; i++) {
            Outgoing file = inspect(paths[i]);
            if (file.problem.empty()) {
                std::vector<std::pair<std::string, std::string>> wanted;
                if (!isLittleEndian(file.transferSyntax)) wanted.push_back({file.sopClass, file.transferSyntax});
                wanted.push_back({file.sopClass, ""});
                size_t missing = 0;
                for (const auto &pair : wanted) missing += proposed.count(pair) == 0 ? 1 : 0;
                if (proposed.size() + missing > kMaxPresentationContexts) {
                    file.problem = "not sent: more kinds of files than one association can propose; send fewer at once";
                } else {
                    for (const auto &pair : wanted) {
                        if (!proposed.insert(pair).second) continue;
                        OFList<OFString> syntaxes;
                        if (pair.second.empty()) {
                            syntaxes.push_back(UID_LittleEndianExplicitTransferSyntax);
                            syntaxes.push_back(UID_LittleEndianImplicitTransferSyntax);
                        } else {
                            syntaxes.push_back(pair.second.c_str());
                        }
                        scu.addPresentationContext(pair.first.c_str(), syntaxes);
                    }
                    sendable++;
                }
            }
            files.push_back(file);
        }
        bool accepted = false;
        if (sendable > 0) {
            OFCondition condition;
            int opened = associate(scu, layer, error, error_size, condition);
            if (opened != CDN_SCU_OK && condition != NET_EC_NoAcceptablePresentationContexts) return opened;
            accepted = opened == CDN_SCU_OK;
            if (!accepted && scu.isConnected()) scu.releaseAssociation();
        }
        for (size_t i = 0; i < count; i++) {
            const Outgoing &file = files[i];
            if (!file.problem.empty()) {
                notSent(handler, paths[i], file.problem, context);
                continue;
            }
            // The file's own transfer syntax first, else little endian (explicit before implicit).
            T_ASC_PresentationContextID id = 0;
            const char *syntaxes[3] = {file.transferSyntax.c_str(), UID_LittleEndianExplicitTransferSyntax,
                                       UID_LittleEndianImplicitTransferSyntax};
            for (int s = 0; accepted && id == 0 && s < 3; s++) {
                id = scu.findPresentationContextID(file.sopClass.c_str(), syntaxes[s]);
            }
            if (id == 0) {
                notSent(handler, paths[i],
                        "not sent: the PACS does not accept its SOP class " + uidName(file.sopClass) + " (in "
                            + uidName(file.transferSyntax) + " or little endian)",
                        context);
                continue;
            }
            DcmFileFormat format;
            OFCondition condition = load(paths[i], format);
            if (condition.bad()) {
                notSent(handler, paths[i], std::string("not sent: cannot read it again (") + condition.text() + ")",
                        context);
                continue;
            }
            DcmDataset *dataset = format.getDataset();
            OFString abstractSyntax, acceptedSyntax;
            scu.findPresentationContext(id, abstractSyntax, acceptedSyntax);
            E_TransferSyntax network = DcmXfer(acceptedSyntax.c_str()).getXfer();
            E_TransferSyntax original = dataset->getOriginalXfer();
            bool convertible = network == original
                               || (dataset->chooseRepresentation(network, nullptr).good()
                                   && dataset->canWriteXfer(network, original));
            if (!convertible) {
                notSent(handler, paths[i],
                        "not sent: the PACS does not accept " + uidName(file.transferSyntax) + " for "
                            + uidName(file.sopClass) + ", and the file cannot be converted to "
                            + uidName(acceptedSyntax.c_str()) + " here",
                        context);
                continue;
            }
            Uint16 status = 0xFFFF;
            std::string comment;
            condition = scu.store(id, dataset, file.sopClass.c_str(), file.sopInstance.c_str(), status, comment);
            if (condition.bad()) {
                snprintf(error, error_size, "sending file %zu of %zu: %s", i + 1, count, condition.text());
                scu.abortAssociation();
                return classify(condition);
            }
            cdn_store_outcome outcome = {};
            outcome.status = status;
            snprintf(outcome.comment, sizeof outcome.comment, "%s", comment.c_str());
            if (handler != nullptr) handler(paths[i], &outcome, context);
        }
        if (accepted) scu.releaseAssociation();
        return CDN_SCU_OK;
    } catch (const std::exception &caught) {
        snprintf(error, error_size, "%s", caught.what());
        return CDN_SCU_FAILED;
    } catch (...) {
        snprintf(error, error_size, "unknown failure in the C-STORE");
        return CDN_SCU_FAILED;
    }
}
