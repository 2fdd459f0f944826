package io.ccf.ar.sdk;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A plugin launched as a real child JVM ({@code java -cp <test classpath>
 * TestPluginMain}), its stdout and stderr captured by two reader threads. The
 * test plays the host.
 */
final class ChildPlugin implements AutoCloseable {
    static final String COOKIE_KEY = "AR_PLUGIN";
    static final String COOKIE = "048cc450-6be2-4fa2-b760-8d4d0b63b534";

    final Process process;
    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    private final Thread outReader;
    private final Thread errReader;

    private ChildPlugin(Process process) {
        this.process = process;
        outReader = pump(process.getInputStream(), stdout, "child-stdout");
        errReader = pump(process.getErrorStream(), stderr, "child-stderr");
    }

    /** The java launcher running this test, and the test classpath. */
    static List<String> javaCommand(String mainClass) {
        String java = ProcessHandle.current().info().command()
                .orElse(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        return new ArrayList<>(Arrays.asList(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto",
                "-cp", System.getProperty("java.class.path"), mainClass));
    }

    /** The usual host environment: cookie and {@code PLUGIN_PROTOCOL_VERSIONS=1}, plus {@code extra}. */
    static Map<String, String> hostEnv(String... extra) {
        Map<String, String> env = new java.util.HashMap<>();
        env.put(COOKIE_KEY, COOKIE);
        env.put("PLUGIN_PROTOCOL_VERSIONS", "1");
        for (int i = 0; i + 1 < extra.length; i += 2) {
            env.put(extra[i], extra[i + 1]);
        }
        return env;
    }

    /** Starts {@code command} with the environment changed by {@code env} (null value: removed). */
    static ChildPlugin launch(List<String> command, Map<String, String> env) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().remove(COOKIE_KEY);
        pb.environment().remove("AR_PLUGIN_TRANSPORT");
        pb.environment().remove("PLUGIN_PROTOCOL_VERSIONS");
        for (Map.Entry<String, String> e : env.entrySet()) {
            if (e.getValue() == null) {
                pb.environment().remove(e.getKey());
            } else {
                pb.environment().put(e.getKey(), e.getValue());
            }
        }
        pb.redirectInput(ProcessBuilder.Redirect.PIPE);
        return new ChildPlugin(pb.start());
    }

    static ChildPlugin launch(Map<String, String> env) throws IOException {
        return launch(javaCommand(TestPluginMain.class.getName()), env);
    }

    private static Thread pump(InputStream in, ByteArrayOutputStream sink, String name) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[4096];
            try {
                int n;
                while ((n = in.read(buf)) > 0) {
                    synchronized (sink) {
                        sink.write(buf, 0, n);
                        sink.notifyAll();
                    }
                }
            } catch (IOException ignored) {
                // process gone
            } finally {
                synchronized (sink) {
                    sink.notifyAll();
                }
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Waits for the first complete stdout line (without its newline). */
    String awaitStdoutLine(Duration timeout) throws InterruptedException, TimeoutException {
        return awaitLine(stdout, 0, timeout);
    }

    /** Waits for the {@code index}-th complete stdout line (0-based). */
    String awaitStdoutLine(int index, Duration timeout) throws InterruptedException, TimeoutException {
        return awaitLine(stdout, index, timeout);
    }

    private String awaitLine(ByteArrayOutputStream sink, int index, Duration timeout)
            throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (sink) {
            while (true) {
                String all = sink.toString(StandardCharsets.UTF_8);
                String[] lines = all.split("\n", -1);
                if (lines.length - 1 > index) {
                    return lines[index];
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || (!process.isAlive() && !outReader.isAlive())) {
                    throw new TimeoutException("no stdout line " + index + " within " + timeout
                            + "; stdout so far: " + all + "; stderr: " + stderr());
                }
                TimeUnit.NANOSECONDS.timedWait(sink, left);
            }
        }
    }

    /** Waits for the process to exit and the readers to reach EOF; returns the exit code. */
    int awaitExit(Duration timeout) throws Exception {
        Process p = process.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        outReader.join(timeout.toMillis());
        errReader.join(timeout.toMillis());
        return p.exitValue();
    }

    String stdout() {
        synchronized (stdout) {
            return stdout.toString(StandardCharsets.UTF_8);
        }
    }

    String stderr() {
        synchronized (stderr) {
            return stderr.toString(StandardCharsets.UTF_8);
        }
    }

    List<String> stderrLines() {
        List<String> lines = new ArrayList<>(Arrays.asList(stderr().split("\n")));
        lines.removeIf(String::isEmpty);
        return lines;
    }

    /**
     * Waits until process {@code pid} (not necessarily our child) has exited.
     * {@code ProcessHandle.onExit()} alone cannot see that here: an orphan is
     * re-parented to PID 1, which on these machines does not reap it, and the
     * JDK reports a zombie as alive. So the exit is also recognised by the
     * zombie state in {@code /proc/<pid>/stat}: a condition polled until a
     * deadline, not a sleep standing in for synchronisation.
     */
    static boolean awaitGone(long pid, Duration timeout) throws InterruptedException {
        CompletableFuture<?> exited = ProcessHandle.of(pid).map(ProcessHandle::onExit)
                .map(f -> (CompletableFuture<?>) f).orElse(CompletableFuture.completedFuture(null));
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (exited.isDone() || isZombieOrGone(pid)) {
                return true;
            }
            try {
                exited.get(50, TimeUnit.MILLISECONDS);
                return true;
            } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
                // check /proc again
            }
        }
        return exited.isDone() || isZombieOrGone(pid);
    }

    static boolean isZombieOrGone(long pid) {
        Path stat = Paths.get("/proc", Long.toString(pid), "stat");
        try {
            String s = Files.readString(stat);
            // "pid (comm) S ...": the state follows the last ')'
            return s.charAt(s.lastIndexOf(')') + 2) == 'Z';
        } catch (IOException e) {
            return true;
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
