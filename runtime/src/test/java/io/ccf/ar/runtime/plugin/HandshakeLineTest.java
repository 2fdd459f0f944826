package io.ccf.ar.runtime.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;

import org.junit.jupiter.api.Test;

class HandshakeLineTest {
    private static final Set<Integer> V1 = Set.of(1);

    @Test
    void parsesGoPluginUnixLineWithEmptyCertField() throws Exception {
        HandshakeLine line = HandshakeLine.parse("1|1|unix|/tmp/plugin123456|grpc|", V1);
        assertEquals(HandshakeLine.Network.UNIX, line.network());
        assertEquals("/tmp/plugin123456", line.address());
        assertEquals("grpc", line.protocol());
        assertEquals("", line.serverCert());
    }

    @Test
    void parsesFiveFieldTcpLine() throws Exception {
        HandshakeLine line = HandshakeLine.parse("1|1|tcp|127.0.0.1:10001|grpc\n", V1);
        assertEquals(HandshakeLine.Network.TCP, line.network());
        assertEquals("127.0.0.1:10001", line.address());
    }

    @Test
    void garbageShowsTheLine() {
        HandshakeException e = assertThrows(HandshakeException.class, () -> HandshakeLine.parse("Hello from main()", V1));
        assertTrue(e.getMessage().contains("unrecognised handshake line"), e.getMessage());
        assertTrue(e.getMessage().contains("Hello from main()"), e.getMessage());
    }

    @Test
    void nonNumericVersionIsUnrecognised() {
        HandshakeException e = assertThrows(HandshakeException.class, () -> HandshakeLine.parse("a|b|c|d|grpc", V1));
        assertTrue(e.getMessage().contains("is not a number"), e.getMessage());
    }

    @Test
    void wrongCoreVersion() {
        HandshakeException e = assertThrows(HandshakeException.class, () -> HandshakeLine.parse("2|1|tcp|127.0.0.1:1|grpc", V1));
        assertTrue(e.getMessage().contains("core protocol version 2"), e.getMessage());
    }

    @Test
    void appVersionNotOffered() {
        HandshakeException e = assertThrows(HandshakeException.class, () -> HandshakeLine.parse("1|3|tcp|127.0.0.1:1|grpc", V1));
        assertTrue(e.getMessage().contains("app protocol version 3"), e.getMessage());
        assertTrue(e.getMessage().contains("[1]"), e.getMessage());
    }

    @Test
    void unknownNetwork() {
        HandshakeException e = assertThrows(HandshakeException.class, () -> HandshakeLine.parse("1|1|udp|x:1|grpc", V1));
        assertTrue(e.getMessage().contains("unknown network \"udp\""), e.getMessage());
    }

    @Test
    void netRpcIsRefused() {
        HandshakeException e = assertThrows(HandshakeException.class, () -> HandshakeLine.parse("1|1|tcp|127.0.0.1:1|netrpc", V1));
        assertTrue(e.getMessage().contains("only grpc"), e.getMessage());
        HandshakeException missing = assertThrows(HandshakeException.class, () -> HandshakeLine.parse("1|1|tcp|127.0.0.1:1", V1));
        assertTrue(missing.getMessage().contains("\"netrpc\""), missing.getMessage());
    }
}
