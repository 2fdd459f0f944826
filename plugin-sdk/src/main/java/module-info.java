/**
 * The assessment runtime's plugin SDK. Only {@code io.ccf.ar.sdk} is exported: on the module path,
 * {@code io.ccf.ar.sdk.internal} is out of reach of plugin code at compile time and at run time. (On
 * the class path, where shaded plugin jars run, a JVM cannot hide a public class: there
 * {@code internal} is excluded from the javadoc and documented as not API.)
 */
module io.ccf.ar.sdk {
    exports io.ccf.ar.sdk;
    // the plugin test harness (plugin-sdk-testing, automatic module io.ccf.ar.sdk.testing) is a host:
    // it reuses the handshake constants and the auto-mTLS certificates
    exports io.ccf.ar.sdk.internal to io.ccf.ar.sdk.testing;

    // the wire contract's messages appear in Provider's signatures; the proto jar is an automatic module
    requires transitive proto;
    requires transitive io.grpc;
    requires transitive com.google.protobuf;
    requires io.grpc.stub;
    requires io.grpc.protobuf;
    requires io.grpc.services;
    requires io.grpc.netty.shaded;
    requires java.logging;
    requires jdk.unsupported;
    // go-plugin's auto-mTLS certificates, shared with the runtime (JDK APIs only)
    requires io.ccf.ar.automtls;
}
