package io.ccf.ar.runtime.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SendOrderTest {
    private final SendOrder order = new SendOrder();
    private final List<String> handedOn = new ArrayList<>();

    private long send(String id) {
        return order.sending(new SendOrder.Sent("run", id, new byte[0], null));
    }

    private void handOn() {
        order.handOnFailures(sent -> handedOn.add(sent.id));
    }

    /** What the CI run of 2026-12-03 saw: the later publishes of a broken connection failed before the first one. */
    @Test
    void failuresThatArriveOutOfOrderAreHandedOnInSendOrder() {
        long first = send("r500");
        List<Long> later = new ArrayList<>();
        for (int i = 501; i <= 503; i++) {
            later.add(send("r" + i));
        }
        for (long s : later) {
            order.failed(s, new IOException("disconnected"));
            handOn();
        }
        assertEquals(List.of(), handedOn, "nothing may pass the result still waiting for its ack");
        order.failed(first, new IOException("no ack within 1 s"));
        handOn();
        assertEquals(List.of("r500", "r501", "r502", "r503"), handedOn);
    }

    @Test
    void anAckLetsTheFailuresBehindItThrough() {
        long first = send("a");
        long second = send("b");
        order.failed(second, new IOException("x"));
        handOn();
        assertEquals(List.of(), handedOn);
        assertTrue(order.acked(first), "the ack must say that a failure waits");
        handOn();
        assertEquals(List.of("b"), handedOn);
        assertFalse(order.acked(send("c")), "no failure waits any more");
    }

    @Test
    void acksInAnyOrderLeaveNothingBehindAndAWithdrawnSendDoesNotBlock() {
        long a = send("a");
        long b = send("b");
        long c = send("c");
        order.withdrawn(a); // publishAsync threw: the caller spooled it itself
        assertFalse(order.acked(c));
        order.failed(b, new IOException("x"));
        handOn();
        assertEquals(List.of("b"), handedOn);
        handOn();
        assertEquals(List.of("b"), handedOn, "handed on once");
    }
}
