// Spike: a C-STORE SCP on DCMTK 3.6.7 dcmnet that answers only after its own verdict.
// Modes: single (DcmSCP::listen), fork (own accept loop, fork per association, dcmExternalSocketHandle),
// pool (DcmSCPPool threads). Env: ALLOW=AE1,AE2  VERDICT=ok|a700|c000|crash  FSYNC=0|1  NODELAY_HOOK=0|1
//   STAGING=dir  MAXASSOC=n  DELAY_US=n
#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmnet/scp.h"
#include "dcmtk/dcmnet/scpthrd.h"
#include "dcmtk/dcmnet/scppool.h"
#include "dcmtk/dcmnet/dcmlayer.h"
#include "dcmtk/dcmnet/dcmtrans.h"
#include "dcmtk/dcmnet/dul.h"
#include "dcmtk/dcmnet/diutil.h"
#include "dcmtk/dcmdata/dcuid.h"
#include "dcmtk/dcmdata/dcdeftag.h"
#include "dcmtk/dcmdata/dcdict.h"
#include "dcmtk/oflog/oflog.h"
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>

static std::set<std::string> gAllowed;
static std::string gStaging = "/tmp/netspike/staging";
static std::string gVerdict = "ok";
static bool gFsync = true;
static bool gOverLimit = false;  // set in a forked child when the parent was at its limit
static long gDelayUs = 0;
static std::atomic<unsigned long> gCounter{0};

// TCP_NODELAY without the environment: DCMTK calls createConnection(socket, useSecureLayer) for every
// accepted (dul.cc) and every requested (dulfsm.cc) connection.
struct NoDelayLayer : public DcmTransportLayer {
    DcmTransportConnection* createConnection(DcmNativeSocketType s, OFBool) override {
        int one = 1;
        setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        return new DcmTCPConnection(s);
    }
};

static Uint16 verdictFor(const std::string& file, const T_DIMSE_C_StoreRQ& rq) {
    if (gDelayUs) usleep(gDelayUs);
    if (gVerdict == "a700") return STATUS_STORE_Refused_OutOfResources;  // 0xA700
    if (gVerdict == "c000") return STATUS_STORE_Error_CannotUnderstand;  // 0xC000
    if (gVerdict == "crash") abort();
    return STATUS_Success;
}

template <class Base> class SpikeSCP : public Base {
  public:
    bool oneShot = false;
  protected:
    OFBool checkCallingAETitleAccepted(const OFString& ae) override {
        return gAllowed.empty() || gAllowed.count(ae.c_str()) > 0;
    }
    OFBool stopAfterCurrentAssociation() override { return oneShot; }
    OFCondition processAssociationRQ() override {
        if (gOverLimit) {
            this->refuseAssociation(DCMSCP_TOO_MANY_ASSOCIATIONS);  // rejected-transient, local-limit-exceeded
            return EC_Normal;
        }
        return Base::processAssociationRQ();
    }
    OFCondition handleIncomingCommand(T_DIMSE_Message* msg, const DcmPresentationContextInfo& pc) override {
        if (msg->CommandField == DIMSE_C_ECHO_RQ)
            return this->handleECHORequest(msg->msg.CEchoRQ, pc.presentationContextID);
        if (msg->CommandField != DIMSE_C_STORE_RQ) return DIMSE_BADCOMMANDTYPE;
        T_DIMSE_C_StoreRQ& rq = msg->msg.CStoreRQ;
        char name[512];
        snprintf(name, sizeof name, "%s/%d-%lu.part", gStaging.c_str(), (int)getpid(), gCounter++);
        // The data set goes straight to the file as received (meta header added), never parsed here.
        OFCondition c = this->receiveSTORERequest(rq, pc.presentationContextID, OFString(name));
        if (c.bad()) {
            if (c == DIMSE_OUTOFRESOURCES)
                this->sendSTOREResponse(pc.presentationContextID, rq, STATUS_STORE_Refused_OutOfResources);
            return c;  // handleAssociation() aborts the association
        }
        if (gFsync) {
            int fd = open(name, O_RDONLY | O_CLOEXEC);
            if (fd < 0 || fsync(fd) != 0) {
                if (fd >= 0) close(fd);
                return this->sendSTOREResponse(pc.presentationContextID, rq, STATUS_STORE_Refused_OutOfResources);
            }
            close(fd);
        }
        Uint16 status = verdictFor(name, rq);
        if (status != STATUS_Success) unlink(name);
        if (status == STATUS_STORE_Error_CannotUnderstand) {
            DcmDataset* detail = new DcmDataset;  // sent as (0000,0902) Error Comment in the C-STORE-RSP
            detail->putAndInsertString(DCM_ErrorComment, "quarantined: truncated pixel data");
            OFCondition r = this->sendSTOREResponse(pc.presentationContextID, rq.MessageID, rq.AffectedSOPClassUID,
                                                    rq.AffectedSOPInstanceUID, status, detail);
            delete detail;
            return r;
        }
        return this->sendSTOREResponse(pc.presentationContextID, rq, status);
    }
};

static const char* kSops[] = {UID_MRImageStorage, UID_EnhancedMRImageStorage, UID_CTImageStorage,
                              UID_SecondaryCaptureImageStorage, UID_XRayAngiographicImageStorage,
                              UID_XRayRadiofluoroscopicImageStorage, UID_ComputedRadiographyImageStorage};

static void configure(DcmSCPConfig& cfg, Uint16 port) {
    cfg.setAETitle("ANNULUS");
    cfg.setPort(port);
    cfg.setMaxReceivePDULength(65536);
    cfg.setACSETimeout(10);
    cfg.setDIMSEBlockingMode(DIMSE_NONBLOCKING);
    cfg.setDIMSETimeout(30);  // idle time between commands / inside a data set
    cfg.setConnectionBlockingMode(DUL_NOBLOCK);
    cfg.setConnectionTimeout(1);
    cfg.setHostLookupEnabled(OFFalse);
    OFList<OFString> ts;
    ts.push_back(UID_LittleEndianExplicitTransferSyntax);
    ts.push_back(UID_LittleEndianImplicitTransferSyntax);
    ts.push_back(UID_JPEGLSLosslessTransferSyntax);
    ts.push_back(UID_JPEGProcess14SV1TransferSyntax);
    ts.push_back(UID_RLELosslessTransferSyntax);
    ts.push_back(UID_JPEG2000LosslessOnlyTransferSyntax);
    ts.push_back("1.2.840.10008.1.2.4.201");  // HTJ2K Lossless, not in 3.6.7 dcuid.h
    for (auto sop : kSops) cfg.addPresentationContext(sop, ts);
    OFList<OFString> ver;
    ver.push_back(UID_LittleEndianImplicitTransferSyntax);
    cfg.addPresentationContext(UID_VerificationSOPClass, ver);
}

static NoDelayLayer gLayer;

static int runFork(Uint16 port, int maxAssoc) {
    int ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(ls, (sockaddr*)&a, sizeof a) || listen(ls, 64)) { perror("bind/listen"); return 1; }
    signal(SIGPIPE, SIG_IGN);
    if (getenv("PRELOAD")) { dcmDataDict.rdlock(); dcmDataDict.rdunlock(); }  // load the dictionary once, before fork
    int live = 0;
    for (;;) {
        int st;
        pid_t p;
        while ((p = waitpid(-1, &st, WNOHANG)) > 0) {
            live--;
            if (WIFSIGNALED(st)) fprintf(stderr, "association process %d ended by signal %d\n", p, WTERMSIG(st));
        }
        int s = accept4(ls, nullptr, nullptr, 0);  // inherited by the child only
        if (s < 0) continue;
        while ((p = waitpid(-1, &st, WNOHANG)) > 0) live--;  // children that ended while we waited in accept
        if (live >= maxAssoc + 4) { close(s); continue; }  // hard cap: no process for it at all
        setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        bool over = live >= maxAssoc;
        pid_t pid = fork();
        if (pid == 0) {
            close(ls);
            gOverLimit = over;
            struct rlimit fs = {1ul << 30, 1ul << 30};  // no staging file over 1 GiB
            setrlimit(RLIMIT_FSIZE, &fs);
            dcmExternalSocketHandle.set(s);
            SpikeSCP<DcmSCP> scp;
            configure(scp.getConfig(), port);
            scp.oneShot = true;
            OFCondition c = scp.listen();
            _exit(c.good() || c == NET_EC_StopAfterAssociation ? 0 : 1);
        }
        close(s);
        if (pid > 0) live++;
    }
}

int main(int argc, char** argv) {
    if (argc < 3) { fprintf(stderr, "usage: spike_scp single|fork|pool PORT\n"); return 2; }
    std::string mode = argv[1];
    Uint16 port = (Uint16)atoi(argv[2]);
    if (const char* e = getenv("ALLOW")) {
        std::string s = e, item;
        for (char ch : s + ",") { if (ch == ',') { if (!item.empty()) gAllowed.insert(item); item.clear(); } else item += ch; }
    }
    if (const char* e = getenv("VERDICT")) gVerdict = e;
    if (const char* e = getenv("FSYNC")) gFsync = atoi(e) != 0;
    if (const char* e = getenv("STAGING")) gStaging = e;
    if (const char* e = getenv("DELAY_US")) gDelayUs = atol(e);
    int maxAssoc = getenv("MAXASSOC") ? atoi(getenv("MAXASSOC")) : 4;
    bool hook = getenv("NODELAY_HOOK") && atoi(getenv("NODELAY_HOOK"));
    OFLog::configure(getenv("LOGLEVEL") && std::string(getenv("LOGLEVEL")) == "debug" ? OFLogger::DEBUG_LOG_LEVEL
                                                                                  : OFLogger::WARN_LOG_LEVEL);
    if (mode == "fork") return runFork(port, maxAssoc);
    if (mode == "pool") {
        DcmSCPPool<SpikeSCP<DcmThreadSCP>> pool;
        configure(pool.getConfig(), port);
        if (hook) pool.getConfig().setTransportLayer(&gLayer);
        pool.setMaxThreads((Uint16)maxAssoc);
        OFCondition c = pool.listen();
        fprintf(stderr, "pool.listen: %s\n", c.text());
        return 0;
    }
    SpikeSCP<DcmSCP> scp;
    configure(scp.getConfig(), port);
    if (hook) scp.getConfig().setTransportLayer(&gLayer);
    OFCondition c = scp.listen();
    fprintf(stderr, "listen: %s\n", c.text());
    return 0;
}
