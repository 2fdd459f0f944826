package io.ccf.ar.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import io.ccf.ar.proto.EvaluateInput;
import io.ccf.ar.proto.EvaluateResult;
import io.ccf.ar.proto.ExecuteInput;
import io.ccf.ar.proto.ExecuteResult;
import io.ccf.ar.proto.ExecutionStatus;
import io.ccf.ar.proto.Subject;
import io.ccf.ar.proto.goplugin.StdioData;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.stub.StreamObserver;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The plugin side of go-plugin, end to end: {@link TestPluginMain} runs as a
 * real child JVM and the test is its host, with a plain grpc-java client.
 */
class PluginProcessTest {
    static final Duration START = Duration.ofSeconds(30);
    static final Pattern TCP_LINE = Pattern.compile("1\\|1\\|tcp\\|127\\.0\\.0\\.1:(\\d+)\\|grpc\\|");
    static final Pattern UNIX_LINE = Pattern.compile("1\\|1\\|unix\\|(/[^|]+)\\|grpc\\|");
    static final Pattern GO_TIMESTAMP =
            Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{6}(Z|[+-]\\d{2}:\\d{2})");

    @Test
    void tcpHandshakeServesStreamsStdoutAndExitsOnControllerShutdown() throws Exception {
        try (ChildPlugin child = ChildPlugin.launch(ChildPlugin.hostEnv(
                "PLUGIN_MIN_PORT", "10000", "PLUGIN_MAX_PORT", "25000"))) {
            String line = child.awaitStdoutLine(START);
            Matcher m = TCP_LINE.matcher(line);
            assertTrue(m.matches(), "handshake line: " + line);
            int port = Integer.parseInt(m.group(1));
            assertTrue(port >= 10000 && port <= 25000, "port in range: " + port);

            try (HostConnection host = new HostConnection("tcp", "127.0.0.1:" + port)) {
                assertServing(host);

                // Host opens the stdio stream first, as go-plugin hosts do.
                LinkedBlockingQueue<StdioData> stdio = new LinkedBlockingQueue<>();
                host.stdio().streamStdio(com.google.protobuf.Empty.getDefaultInstance(), collect(stdio));
                String streamed = evaluateUntilStreamed(host, stdio, child);

                // Execute, and the mapping of provider exceptions to status codes.
                ExecuteResult r = host.jobs().execute(ExecuteInput.newBuilder()
                        .setSubject(Subject.newBuilder().setId("s-1")).build());
                assertEquals(ExecutionStatus.SUCCESS, r.getStatus());
                assertEquals("s-1", r.getObservations(0).getSubjectId());
                StatusRuntimeException invalid = assertThrows(StatusRuntimeException.class, () -> host.jobs()
                        .execute(ExecuteInput.newBuilder().putConfiguration("fail", "invalid").build()));
                assertEquals(Status.Code.INVALID_ARGUMENT, invalid.getStatus().getCode());
                assertTrue(invalid.getStatus().getDescription().contains("IllegalArgumentException"));
                assertTrue(invalid.getStatus().getDescription().contains("bad configuration: fail=invalid"));
                StatusRuntimeException internal = assertThrows(StatusRuntimeException.class, () -> host.jobs()
                        .execute(ExecuteInput.newBuilder().putConfiguration("fail", "boom").build()));
                assertEquals(Status.Code.INTERNAL, internal.getStatus().getCode());
                assertEquals("java.lang.IllegalStateException: boom", internal.getStatus().getDescription());

                long asked = System.nanoTime();
                shutdownViaController(host);
                assertEquals(0, child.awaitExit(Duration.ofSeconds(2)), "exit code; stderr: " + child.stderr());
                long tookMs = (System.nanoTime() - asked) / 1_000_000L;
                assertTrue(tookMs < 2000, "exited " + tookMs + " ms after Controller.Shutdown");

                // Nothing but the handshake ever reached the real stdout.
                assertEquals(line + "\n", child.stdout());
                // System.out text went over the stream, not to stderr; System.err text is on stderr.
                String stderr = child.stderr();
                assertFalse(stderr.contains(streamed), "streamed stdout also on stderr:\n" + stderr);
                assertTrue(stderr.contains(TestPluginMain.STDERR_MARKER), stderr);
                assertStderrIsHclog(child.stderrLines());
                assertTrue(stderr.contains("\"@message\":\"plugin started\""), stderr);
                assertTrue(stderr.contains("\"@message\":\"provider shutdown\""), "provider.shutdown called: " + stderr);
                assertTrue(stderr.contains("\"@message\":\"Execute failed\""), stderr);
            }
        }
    }

    @Test
    void unixSocketHandshakeServesIgnoresSigintAndRemovesSocket(@TempDir Path dir) throws Exception {
        try (ChildPlugin child = ChildPlugin.launch(ChildPlugin.hostEnv(
                "AR_PLUGIN_TRANSPORT", "unix", "PLUGIN_UNIX_SOCKET_DIR", dir.toString()))) {
            String line = child.awaitStdoutLine(START);
            Matcher m = UNIX_LINE.matcher(line);
            assertTrue(m.matches(), "handshake line: " + line);
            Path socket = Paths.get(m.group(1));
            assertEquals(dir.toRealPath(), socket.getParent().toRealPath());
            assertTrue(Files.exists(socket), "socket file exists");

            try (HostConnection host = new HostConnection("unix", socket.toString())) {
                assertServing(host);
                EvaluateResult ev = host.jobs().evaluate(EvaluateInput.getDefaultInstance());
                assertEquals("s-1", ev.getSubjects(0).getId());

                // SIGINT (a terminal's Ctrl-C to the process group) must not stop the plugin.
                Process kill = new ProcessBuilder("kill", "-INT", Long.toString(child.process.pid())).start();
                assertEquals(0, kill.waitFor());
                assertThrows(TimeoutException.class, () -> child.process.onExit().get(1, TimeUnit.SECONDS),
                        "the plugin died of SIGINT");
                assertServing(host);

                shutdownViaController(host);
                assertEquals(0, child.awaitExit(Duration.ofSeconds(2)), "exit code; stderr: " + child.stderr());
            }
            assertFalse(Files.exists(socket), "socket file removed on exit");
            assertEquals(line + "\n", child.stdout());
            assertStderrIsHclog(child.stderrLines());
        }
    }

    /**
     * Netty's JFR allocator events would initialise JFR's metadata at the first pooled buffer, ~90 ms of a cold
     * start on the event loop: the SDK turns them off, unless the plugin's JVM says otherwise.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void nettysJfrEventsStayOffUnlessThePluginsJvmTurnsThemOn(boolean turnedOn, @TempDir Path dir) throws Exception {
        Path classLog = dir.resolve("classes.log");
        List<String> cmd = ChildPlugin.javaCommand(TestPluginMain.class.getName());
        int cp = cmd.indexOf("-cp");
        cmd.add(cp, "-Xlog:class+load=info:file=" + classLog);
        if (turnedOn) {
            cmd.add(cp, "-Dio.grpc.netty.shaded.io.netty.jfr.enabled=true");
        }
        try (ChildPlugin child = ChildPlugin.launch(cmd, ChildPlugin.hostEnv())) {
            Matcher m = TCP_LINE.matcher(child.awaitStdoutLine(START));
            assertTrue(m.matches());
            try (HostConnection host = new HostConnection("tcp", "127.0.0.1:" + m.group(1))) {
                assertServing(host); // the child's event loop has read into a pooled buffer
                shutdownViaController(host);
                assertEquals(0, child.awaitExit(Duration.ofSeconds(2)), "exit code; stderr: " + child.stderr());
            }
        }
        String classes = Files.readString(classLog);
        assertTrue(classes.contains("io.grpc.netty.shaded.io.netty.buffer.PooledByteBufAllocator "), "no pooled buffer");
        assertEquals(turnedOn, classes.contains("jdk.jfr.internal.MetadataRepository "), "JFR initialised");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "not-the-cookie"})
    void withoutTheCookieExplainsAndExits1(String cookie) throws Exception {
        Map<String, String> env = ChildPlugin.hostEnv();
        env.put(ChildPlugin.COOKIE_KEY, cookie.isEmpty() ? null : cookie);
        try (ChildPlugin child = ChildPlugin.launch(env)) {
            assertEquals(1, child.awaitExit(START));
            assertEquals("", child.stdout(), "nothing on stdout");
            String err = child.stderr();
            assertTrue(err.contains("is a plugin for the assessment runtime"), err);
            assertTrue(err.contains("not meant to be run"), err);
            assertTrue(err.contains("AR_PLUGIN"), err);
        }
    }

    @Test
    void anUnreadableHostCertificateExits1WithAClearError() throws Exception {
        try (ChildPlugin child = ChildPlugin.launch(ChildPlugin.hostEnv("PLUGIN_CLIENT_CERT", "not a certificate"))) {
            assertEquals(1, child.awaitExit(START));
            assertEquals("", child.stdout(), "nothing on stdout");
            List<String> lines = child.stderrLines();
            JsonObject error = parseStrict(lines.get(lines.size() - 1));
            assertEquals("error", error.get("@level").getAsString());
            assertTrue(error.toString().contains("PLUGIN_CLIENT_CERT"), error.toString());
        }
    }

    @Test
    void noCommonProtocolVersionExits1WithAClearError() throws Exception {
        try (ChildPlugin child = ChildPlugin.launch(ChildPlugin.hostEnv("PLUGIN_PROTOCOL_VERSIONS", "2"))) {
            assertEquals(1, child.awaitExit(START));
            assertEquals("", child.stdout(), "nothing on stdout");
            List<String> lines = child.stderrLines();
            assertStderrIsHclog(lines);
            JsonObject error = parseStrict(lines.get(lines.size() - 1));
            assertEquals("error", error.get("@level").getAsString());
            String msg = error.get("@message").getAsString();
            assertTrue(msg.contains("protocol") && msg.contains("2") && msg.contains("[1]"), msg);
        }
    }

    @Test
    void exitsWhenItsParentProcessDies(@TempDir Path dir) throws Exception {
        // sh starts the plugin in the background, prints its pid, and waits. The
        // plugin's stderr goes to a file: once sh is dead, the JDK closes our
        // end of the pipes sh shared with it.
        Path stderrFile = dir.resolve("plugin.stderr");
        List<String> cmd = new java.util.ArrayList<>(List.of("sh", "-c",
                "\"$@\" 2>\"$PLUGIN_STDERR_FILE\" & echo \"pid:$!\"; wait", "sh"));
        cmd.addAll(ChildPlugin.javaCommand(TestPluginMain.class.getName()));
        try (ChildPlugin sh = ChildPlugin.launch(cmd,
                ChildPlugin.hostEnv("PLUGIN_STDERR_FILE", stderrFile.toString()))) {
            // Two lines on the shared stdout, in either order: the pid, the handshake.
            long pid = -1;
            boolean handshake = false;
            for (int i = 0; i < 2; i++) {
                String line = sh.awaitStdoutLine(i, START);
                if (line.startsWith("pid:")) {
                    pid = Long.parseLong(line.substring(4));
                } else {
                    assertTrue(TCP_LINE.matcher(line).matches(), "handshake line: " + line);
                    handshake = true;
                }
            }
            assertTrue(pid > 0 && handshake);
            ProcessHandle plugin = ProcessHandle.of(pid).orElseThrow();
            assertEquals(sh.process.pid(), plugin.parent().map(ProcessHandle::pid).orElse(-1L));

            sh.process.destroyForcibly(); // SIGKILL: the plugin is orphaned
            assertTrue(sh.process.waitFor(5, TimeUnit.SECONDS));
            try {
                assertTrue(ChildPlugin.awaitGone(pid, Duration.ofSeconds(5)),
                        "plugin " + pid + " still running 5 s after its parent died");
            } finally {
                plugin.destroyForcibly();
            }
            // It was the parent watcher, not a signal or a broken pipe, that ended it.
            String stderr = Files.readString(stderrFile);
            assertTrue(stderr.contains("parent process is gone"), stderr);
            assertTrue(stderr.contains("\"reason\":\"parent process exited\""), stderr);
            assertTrue(stderr.contains("\"@message\":\"provider shutdown\""), "provider.shutdown called: " + stderr);
        }
    }

    // ------------------------------------------------------------------ helpers

    static void assertServing(HostConnection host) {
        HealthCheckResponse h = host.health().check(HealthCheckRequest.newBuilder().setService("plugin").build());
        assertEquals(HealthCheckResponse.ServingStatus.SERVING, h.getStatus());
    }

    /** Controller.Shutdown; go-plugin accepts UNAVAILABLE as well (the plugin may stop before answering). */
    static void shutdownViaController(HostConnection host) {
        try {
            host.controller().shutdown(io.ccf.ar.proto.goplugin.Empty.getDefaultInstance());
        } catch (StatusRuntimeException e) {
            assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.toString());
        }
    }

    /**
     * Calls Evaluate (which prints a numbered line on System.out) until one such
     * line arrives over the stdio stream as STDOUT data. The stream's server
     * handler and Evaluate run on different threads, so the very first line may
     * come before the stream is registered and then be mirrored to stderr: never
     * lost, never on stdout. Returns the streamed line.
     */
    static String evaluateUntilStreamed(HostConnection host, LinkedBlockingQueue<StdioData> stdio, ChildPlugin child)
            throws InterruptedException {
        StringBuilder received = new StringBuilder();
        for (int n = 1; n <= 20; n++) {
            EvaluateResult ev = host.jobs().evaluate(EvaluateInput.newBuilder()
                    .putConfiguration("n", Integer.toString(n)).build());
            assertEquals(1, ev.getSubjectsCount());
            assertEquals("evaluate", ev.getPropsOrThrow("from"));
            String expected = TestPluginMain.STDOUT_MARKER + " " + n + "\n";
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (System.nanoTime() < deadline) {
                StdioData d = stdio.poll(100, TimeUnit.MILLISECONDS);
                if (d != null) {
                    assertEquals(StdioData.Channel.STDOUT, d.getChannel());
                    received.append(d.getData().toString(StandardCharsets.UTF_8));
                    if (received.toString().contains(expected)) {
                        return expected.strip();
                    }
                }
                if (child.stderr().contains(expected)) {
                    break; // raced the stream's registration: mirrored to stderr, try the next one
                }
            }
        }
        fail("no System.out line arrived over StreamStdio; received: " + received + "; stderr: " + child.stderr());
        return null;
    }

    static StreamObserver<StdioData> collect(LinkedBlockingQueue<StdioData> into) {
        return new StreamObserver<>() {
            @Override
            public void onNext(StdioData value) {
                into.add(value);
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onCompleted() {
            }
        };
    }

    /** Every stderr line is hclog JSON, except plain System.err text from the provider. */
    static void assertStderrIsHclog(List<String> lines) {
        assertFalse(lines.isEmpty(), "no stderr at all");
        int json = 0;
        for (String line : lines) {
            if (line.startsWith(TestPluginMain.STDERR_MARKER)
                    || line.startsWith(TestPluginMain.STDOUT_MARKER)) { // mirrored, see evaluateUntilStreamed
                continue;
            }
            JsonObject o = parseStrict(line);
            assertTrue(List.of("trace", "debug", "info", "warn", "error").contains(o.get("@level").getAsString()),
                    line);
            assertNotNull(o.get("@message").getAsString(), line);
            assertEquals("testplugin", o.get("@module").getAsString(), line);
            assertTrue(GO_TIMESTAMP.matcher(o.get("@timestamp").getAsString()).matches(), line);
            json++;
        }
        assertTrue(json > 0, "no hclog line in " + lines);
    }

    static JsonObject parseStrict(String line) {
        try {
            JsonReader r = new JsonReader(new StringReader(line));
            r.setStrictness(Strictness.STRICT);
            JsonElement e = JsonParser.parseReader(r);
            assertTrue(r.peek() == com.google.gson.stream.JsonToken.END_DOCUMENT, "trailing data: " + line);
            return e.getAsJsonObject();
        } catch (Exception e) {
            fail("not a JSON object line: " + line + " (" + e + ")");
            return null;
        }
    }
}
