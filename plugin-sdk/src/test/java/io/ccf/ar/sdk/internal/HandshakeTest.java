package io.ccf.ar.sdk.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HandshakeTest {

    @Test
    void picksTheHighestCommonVersion() throws Exception {
        assertEquals(1, Handshake.negotiate(new int[] {1}, "1"));
        assertEquals(2, Handshake.negotiate(new int[] {1, 2, 3}, "1,2"));
        assertEquals(2, Handshake.negotiate(new int[] {2, 1}, " 2 , x, 1"));
    }

    @Test
    void legacyHostWithoutAListGetsTheLowestVersion() throws Exception {
        assertEquals(1, Handshake.negotiate(new int[] {3, 1}, null));
        assertEquals(1, Handshake.negotiate(new int[] {3, 1}, ""));
    }

    @Test
    void noCommonVersionIsAnError() {
        Handshake.NoCommonVersionException e = assertThrows(Handshake.NoCommonVersionException.class,
                () -> Handshake.negotiate(new int[] {1}, "2"));
        assertTrue(e.getMessage().contains("2") && e.getMessage().contains("[1]"), e.getMessage());
    }

    @Test
    void lineHasSixFieldsAndNewline() {
        assertEquals("1|1|tcp|127.0.0.1:10001|grpc|\n", Handshake.line(1, "tcp", "127.0.0.1:10001"));
        assertEquals("1|2|unix|/tmp/plugin-1|grpc|\n", Handshake.line(2, "unix", "/tmp/plugin-1"));
    }
}
