package io.ccf.ar.runtime.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * {@code ar} as a real child process (the test classpath's Main), with its stdout and stderr
 * collected line by line, so tests can wait for a log line instead of sleeping.
 */
public final class CliProcess implements AutoCloseable {
    private final Process process;
    private final List<String> stdout = new ArrayList<>();
    private final List<String> stderr = new ArrayList<>();
    private final BlockingQueue<String> stderrLines = new LinkedBlockingQueue<>();
    private final Thread outReader;
    private final Thread errReader;

    private CliProcess(Process process) {
        this.process = process;
        this.outReader = reader(process.getInputStream(), stdout, null);
        this.errReader = reader(process.getErrorStream(), stderr, stderrLines);
    }

    public static CliProcess start(Path workDir, String... args) throws IOException {
        return startWithJvmOptions(workDir, List.of(), args);
    }

    /** With JVM options such as {@code -Xmx64m}: a test that must show memory stays bounded. */
    public static CliProcess startWithJvmOptions(Path workDir, List<String> jvmOptions, String... args) throws IOException {
        return start(workDir, jvmOptions, java.util.Map.of(), args);
    }

    /** With variables set in the child's environment (e.g. AR_METRICS_LISTEN, which otherwise is 127.0.0.1:0). */
    public static CliProcess startWithEnvironment(Path workDir, java.util.Map<String, String> environment, String... args)
            throws IOException {
        return start(workDir, List.of(), environment, args);
    }

    private static CliProcess start(Path workDir, List<String> jvmOptions, java.util.Map<String, String> environment,
                                    String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java")));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.ccf.ar.runtime.Main"));
        cmd.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(cmd).directory(workDir.toFile());
        builder.environment().remove("AR_CONFIG");
        // the test classpath carries logback-test.xml (WARN); the child logs at INFO like the real daemon
        builder.environment().put("AR_TEST_LOG_LEVEL", "INFO");
        // every daemon of the tests on a free port of its own (it logs "metrics and health on http://..."), so
        // daemons running side by side do not fight over the default 127.0.0.1:9464
        builder.environment().putIfAbsent("AR_METRICS_LISTEN", "127.0.0.1:0");
        builder.environment().putAll(environment);
        return new CliProcess(builder.start());
    }

    private static Thread reader(java.io.InputStream in, List<String> sink, BlockingQueue<String> queue) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (sink) {
                        sink.add(line);
                    }
                    if (queue != null) {
                        queue.add(line);
                    }
                }
            } catch (IOException ignored) {
                // process gone
            }
        });
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Waits for a stderr (log) line containing {@code text}; returns it, or fails after the timeout. */
    public String awaitLog(String text, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            String line = left > 0 ? stderrLines.poll(left, TimeUnit.NANOSECONDS) : null;
            if (line == null) {
                throw new AssertionError("no log line containing \"" + text + "\" within " + timeout + "; stderr:\n"
                        + String.join("\n", stderr()));
            }
            if (line.contains(text)) {
                return line;
            }
        }
    }

    /** The next stderr line containing {@code text} within {@code timeout}, if any (does not fail). */
    public java.util.Optional<String> pollLog(String text, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            String line = left > 0 ? stderrLines.poll(left, TimeUnit.NANOSECONDS) : null;
            if (line == null) {
                return java.util.Optional.empty();
            }
            if (line.contains(text)) {
                return java.util.Optional.of(line);
            }
        }
    }

    /** Waits for the process to exit and for its output to be read; returns the exit code. */
    public int waitFor(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("ar did not exit within " + timeout + "; stderr:\n" + String.join("\n", stderr()));
        }
        outReader.join(5000);
        errReader.join(5000);
        return process.exitValue();
    }

    public Process process() {
        return process;
    }

    public List<String> stdout() {
        synchronized (stdout) {
            return List.copyOf(stdout);
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public List<String> stderr() {
        synchronized (stderr) {
            return List.copyOf(stderr);
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
