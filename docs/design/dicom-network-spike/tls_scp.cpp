#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmnet/scp.h"
#include "dcmtk/dcmtls/tlslayer.h"
#include "dcmtk/dcmdata/dcuid.h"
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <cstdio>
#include <cstdlib>
// TLS with Nagle off: subclass the TLS layer, set the option, let it wrap the socket.
struct NoDelayTLS : public DcmTLSTransportLayer {
    NoDelayTLS() : DcmTLSTransportLayer(NET_ACCEPTOR, NULL, OFTrue) {}
    DcmTransportConnection* createConnection(DcmNativeSocketType s, OFBool secure) override {
        int one = 1; setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        return DcmTLSTransportLayer::createConnection(s, secure);
    }
};
int main(int argc, char** argv) {
    NoDelayTLS tls;
    OFCondition c;
    if ((c = tls.setTLSProfile(TSP_Profile_BCP195_ND)).bad()) { printf("profile: %s\n", c.text()); return 1; }
    if ((c = tls.activateCipherSuites()).bad()) { printf("ciphers: %s\n", c.text()); return 1; }
    if ((c = tls.setPrivateKeyFile("server.key", DCF_Filetype_PEM)).bad()) { printf("key: %s\n", c.text()); return 1; }
    if ((c = tls.setCertificateFile("server.crt", DCF_Filetype_PEM)).bad()) { printf("cert: %s\n", c.text()); return 1; }
    if (!tls.checkPrivateKeyMatchesCertificate()) { printf("key/cert mismatch\n"); return 1; }
    tls.addTrustedCertificateFile("client.crt", DCF_Filetype_PEM);
    tls.setCertificateVerification(DCV_requireCertificate);   // mutual TLS
    DcmSCP scp;
    scp.setAETitle("ANNULUS"); scp.setPort(atoi(argv[1]));
    scp.setEnableVerification();
    scp.getConfig().setTransportLayer(&tls);
    c = scp.listen();
    printf("listen: %s\n", c.text());
}
