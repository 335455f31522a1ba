// DcmSCU: C-FIND (study level) then C-MOVE to our own AE, Nagle off through a transport-layer hook.
#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmnet/scu.h"
#include "dcmtk/dcmnet/dcmlayer.h"
#include "dcmtk/dcmnet/dcmtrans.h"
#include "dcmtk/dcmdata/dcuid.h"
#include "dcmtk/dcmdata/dcdeftag.h"
#include "dcmtk/oflog/oflog.h"
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <cstdio>
#include <cstdlib>
struct NoDelayLayer : public DcmTransportLayer {
    DcmTransportConnection* createConnection(DcmNativeSocketType s, OFBool) override {
        int one = 1; setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        return new DcmTCPConnection(s);
    }
};
int main(int argc, char** argv) {
    // argv: host port calledAE patientID
    NoDelayLayer layer;
    struct PullSCU : DcmSCU { using DcmSCU::useSecureConnection; } scu;
    scu.setAETitle("ANNULUS");
    scu.setPeerHostName(argv[1]);
    scu.setPeerPort((Uint16)atoi(argv[2]));
    scu.setPeerAETitle(argv[3]);
    scu.setACSETimeout(10);
    scu.setDIMSEBlockingMode(DIMSE_NONBLOCKING);
    scu.setDIMSETimeout(60);
    OFList<OFString> ts;
    ts.push_back(UID_LittleEndianExplicitTransferSyntax);
    ts.push_back(UID_LittleEndianImplicitTransferSyntax);
    scu.addPresentationContext(UID_FINDStudyRootQueryRetrieveInformationModel, ts);
    scu.addPresentationContext(UID_MOVEStudyRootQueryRetrieveInformationModel, ts);
    OFLog::configure(OFLogger::WARN_LOG_LEVEL);
    OFCondition c = scu.initNetwork();
    // after initNetwork (which creates the network and the parameters), before negotiateAssociation;
    // the "secure" flag only makes DCMTK hand the socket to our layer
    if (c.good() && getenv("HOOK")) c = scu.useSecureConnection(&layer);
    if (c.good()) c = scu.negotiateAssociation();
    if (c.bad()) { printf("association: %s\n", c.text()); return 1; }
    DcmDataset q;
    q.putAndInsertString(DCM_QueryRetrieveLevel, "STUDY");
    q.putAndInsertString(DCM_PatientID, argv[4]);
    q.putAndInsertString(DCM_StudyInstanceUID, "");
    q.putAndInsertString(DCM_StudyDate, "");
    q.putAndInsertString(DCM_ModalitiesInStudy, "");
    T_ASC_PresentationContextID find = scu.findPresentationContextID(UID_FINDStudyRootQueryRetrieveInformationModel, "");
    OFList<QRResponse*> found;
    int rounds = getenv("ROUNDS") ? atoi(getenv("ROUNDS")) : 1;
    for (int i = 1; i < rounds; i++) {
        OFList<QRResponse*> tmp;
        scu.sendFINDRequest(find, &q, &tmp);
        for (QRResponse* r : tmp) delete r;
    }
    c = scu.sendFINDRequest(find, &q, &found);
    printf("C-FIND: %s, %zu responses\n", c.text(), found.size());
    OFList<OFString> studies;
    for (QRResponse* r : found) {
        OFString uid;
        if (r->m_dataset && r->m_dataset->findAndGetOFString(DCM_StudyInstanceUID, uid).good()) studies.push_back(uid);
        printf("  status 0x%04x %s\n", r->m_status, uid.c_str());
        delete r;
    }
    T_ASC_PresentationContextID move = scu.findPresentationContextID(UID_MOVEStudyRootQueryRetrieveInformationModel, "");
    if (getenv("NOMOVE")) studies.clear();
    for (const OFString& uid : studies) {
        DcmDataset m;
        m.putAndInsertString(DCM_QueryRetrieveLevel, "STUDY");
        m.putAndInsertString(DCM_StudyInstanceUID, uid.c_str());
        OFList<RetrieveResponse*> rsp;
        c = scu.sendMOVERequest(move, "ANNULUS", &m, &rsp);
        RetrieveResponse* last = rsp.empty() ? NULL : rsp.back();
        printf("C-MOVE %s: %s final 0x%04x completed %d failed %d warning %d\n", uid.c_str(), c.text(),
               last ? last->m_status : 0, last ? last->m_numberOfCompletedSubops : -1,
               last ? last->m_numberOfFailedSubops : -1, last ? last->m_numberOfWarningSubops : -1);
        for (RetrieveResponse* r : rsp) delete r;
    }
    scu.releaseAssociation();
}
