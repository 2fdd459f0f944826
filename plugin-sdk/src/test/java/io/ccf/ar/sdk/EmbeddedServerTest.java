package io.ccf.ar.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ccf.ar.proto.EvaluateInput;
import io.ccf.ar.proto.EvaluateResult;
import io.ccf.ar.proto.ExecuteInput;
import io.ccf.ar.proto.ExecuteResult;
import io.ccf.ar.proto.InitInput;
import io.ccf.ar.proto.ShutdownInput;
import io.ccf.ar.proto.ShutdownResult;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@link PluginServer.Builder#start()}: the same server, inside the test JVM. */
class EmbeddedServerTest {

    /** Fails in the ways a provider can. */
    static final class FailingProvider implements Provider {
        final AtomicInteger shutdowns = new AtomicInteger();

        @Override
        public EvaluateResult evaluate(EvaluateInput input) {
            return null; // a bug: must become INTERNAL, not a hang
        }

        @Override
        public ExecuteResult execute(ExecuteInput input) throws Exception {
            if (input.getConfigurationMap().containsKey("invalid")) {
                throw new IllegalArgumentException("no such region: mars");
            }
            throw new java.io.IOException("API unreachable");
        }

        @Override
        public ShutdownResult shutdown(ShutdownInput input) {
            shutdowns.incrementAndGet();
            return ShutdownResult.getDefaultInstance();
        }
    }

    @Test
    void mapsProviderErrorsToStatusAndStopsWithoutExiting() throws Exception {
        FailingProvider provider = new FailingProvider();
        RunningPlugin plugin = PluginServer.builder(provider).name("embedded").handlersDoNotBlock().start();
        try (HostConnection host = new HostConnection(plugin.network(), plugin.address())) {
            assertTrue(plugin.handshakeLine().matches("1\\|1\\|tcp\\|127\\.0\\.0\\.1:\\d+\\|grpc\\|\n"),
                    plugin.handshakeLine());
            PluginProcessTest.assertServing(host);

            StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                    () -> host.jobs().execute(ExecuteInput.newBuilder().putConfiguration("invalid", "1").build()));
            assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
            assertEquals("java.lang.IllegalArgumentException: no such region: mars", e.getStatus().getDescription());

            e = assertThrows(StatusRuntimeException.class, () -> host.jobs().execute(ExecuteInput.getDefaultInstance()));
            assertEquals(Status.Code.INTERNAL, e.getStatus().getCode());
            assertEquals("java.io.IOException: API unreachable", e.getStatus().getDescription());

            e = assertThrows(StatusRuntimeException.class, () -> host.jobs().evaluate(EvaluateInput.getDefaultInstance()));
            assertEquals(Status.Code.INTERNAL, e.getStatus().getCode());
            assertTrue(e.getStatus().getDescription().contains("returned null"), e.getStatus().getDescription());

            // Init's default answers an empty result; Shutdown reaches the provider exactly once.
            assertEquals(0, host.jobs().init(InitInput.getDefaultInstance()).getLogsCount());
            host.jobs().shutdown(ShutdownInput.newBuilder().setReason("test").build());
            host.jobs().shutdown(ShutdownInput.newBuilder().setReason("again").build());
            assertEquals(1, provider.shutdowns.get());

            PluginProcessTest.shutdownViaController(host);
            assertTrue(plugin.awaitTermination(Duration.ofSeconds(2)), "stopped by Controller.Shutdown");
            assertEquals(1, provider.shutdowns.get(), "provider.shutdown not called a second time");
        } finally {
            plugin.close();
        }
    }

    @Test
    void secondServerTakesTheNextFreePort() throws Exception {
        try (RunningPlugin first = PluginServer.builder(new FailingProvider()).start();
             RunningPlugin second = PluginServer.builder(new FailingProvider()).start()) {
            int a = Integer.parseInt(first.address().substring(first.address().indexOf(':') + 1));
            int b = Integer.parseInt(second.address().substring(second.address().indexOf(':') + 1));
            assertTrue(a >= 10000 && b > a && b <= 25000, a + " then " + b);
            try (HostConnection host = new HostConnection(second.network(), second.address())) {
                PluginProcessTest.assertServing(host);
            }
        }
    }

    @Test
    void closeCallsProviderShutdownOnce() throws Exception {
        FailingProvider provider = new FailingProvider();
        RunningPlugin plugin = PluginServer.builder(provider).start();
        plugin.close();
        assertTrue(plugin.awaitTermination(Duration.ZERO));
        assertEquals(1, provider.shutdowns.get());
        plugin.close(); // idempotent
        assertEquals(1, provider.shutdowns.get());
    }

    /** Execute blocks until released; Evaluate answers at once; both say which thread ran them. */
    static final class BlockingProvider implements Provider {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public EvaluateResult evaluate(EvaluateInput input) {
            return EvaluateResult.newBuilder().putProps("thread", Thread.currentThread().getName()).build();
        }

        @Override
        public ExecuteResult execute(ExecuteInput input) throws Exception {
            entered.countDown();
            if (!release.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("never released");
            }
            return ExecuteResult.newBuilder().addLogs(io.ccf.ar.proto.LogEntry.newBuilder()
                    .setTitle(Thread.currentThread().getName())).build();
        }
    }

    @Test
    void aBlockingProviderMethodHoldsUpNeitherOtherCallsNorHealth() throws Exception {
        BlockingProvider provider = new BlockingProvider();
        try (RunningPlugin plugin = PluginServer.builder(provider).start();
             HostConnection host = new HostConnection(plugin.network(), plugin.address())) {
            CompletableFuture<ExecuteResult> blocked =
                    CompletableFuture.supplyAsync(() -> host.jobs().execute(ExecuteInput.getDefaultInstance()));
            assertTrue(provider.entered.await(10, TimeUnit.SECONDS), "Execute reached the provider");

            // The event loop is free while the provider blocks: health and another call answer.
            PluginProcessTest.assertServing(host);
            String evaluateThread = host.jobs().evaluate(EvaluateInput.getDefaultInstance()).getPropsOrThrow("thread");
            assertTrue(evaluateThread.startsWith("plugin-call-"), evaluateThread);
            assertFalse(blocked.isDone());

            provider.release.countDown();
            String executeThread = blocked.get(10, TimeUnit.SECONDS).getLogs(0).getTitle();
            assertTrue(executeThread.startsWith("plugin-call-"), executeThread);
        }
    }

    @Test
    void handlersDoNotBlockRunsTheProviderOnTheEventLoop() throws Exception {
        try (RunningPlugin plugin = PluginServer.builder(new BlockingProvider()).handlersDoNotBlock().start();
             HostConnection host = new HostConnection(plugin.network(), plugin.address())) {
            String thread = host.jobs().evaluate(EvaluateInput.getDefaultInstance()).getPropsOrThrow("thread");
            assertTrue(thread.startsWith("plugin-io-"), thread);
        }
    }
}
