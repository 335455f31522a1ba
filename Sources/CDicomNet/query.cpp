// The Query/Retrieve SCU of `annulus pull`: C-FIND and C-MOVE (Study Root, STUDY level) with DCMTK's DcmSCU, Nagle
// off, every wait bounded, the number of matches capped. Runs only in the `annulus-dicom-query` process (a PACS's
// answers are parsed by DCMTK here; a crash ends that process, never `annulus serve`).
#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dcdeftag.h"
#include "dcmtk/dcmdata/dcdict.h"
#include "dcmtk/dcmdata/dcuid.h"
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

#include <cstdio>
#include <cstring>
#include <string>

namespace {

/// Hands DCMTK's sockets over with Nagle's algorithm off (Debian's DCMTK leaves it on: ~45 ms per message).
struct NoDelayLayer : public DcmTransportLayer {
    DcmTransportConnection *createConnection(DcmNativeSocketType socket, OFBool) override {
        int one = 1;
        setsockopt(socket, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        return new DcmTCPConnection(socket);
    }
};

/// Matches past the cap and responses after a C-CANCEL that a PACS may still send before its final one; past
/// this the association is aborted (a PACS streaming pending responses forever).
const unsigned kResponsesAfterCancel = 1000;
/// Responses to one C-MOVE beyond which the PACS is taken to be misbehaving (one pending per sub-operation).
const unsigned kMaxMoveResponses = 1000000;

/// A DcmSCU whose C-FIND and C-MOVE responses are handled one at a time (never collected in memory).
class QuerySCU : public DcmSCU {
  public:
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

  private:
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

/// Sets up `scu` for `peer` with the SOP class `sopClass` and opens the association.
int connect(QuerySCU &scu, NoDelayLayer &layer, const cdn_scu_peer *peer, const char *sopClass, char *error,
            size_t errorSize) {
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
    OFList<OFString> syntaxes;
    syntaxes.push_back(UID_LittleEndianExplicitTransferSyntax);
    syntaxes.push_back(UID_LittleEndianImplicitTransferSyntax);
    scu.addPresentationContext(sopClass, syntaxes);
    OFCondition condition = scu.initNetwork();
    // After initNetwork (before it, DCMTK silently ignores the layer): DCMTK then hands every socket to it.
    if (condition.good()) condition = scu.useSecureConnection(&layer);
    if (condition.good()) condition = scu.negotiateAssociation();
    if (condition.bad()) {
        snprintf(error, errorSize, "%s", condition.text());
        return classify(condition);
    }
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
