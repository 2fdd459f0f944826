package io.ccf.ar.sdk.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.BufferedReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The plugin's child process: spawned with the go-plugin environment, its first stdout line
 * taken as the handshake, everything else it writes (stderr, later stdout) kept in a
 * {@link PluginOutput}; stopped by waiting and then killing it with its descendants.
 */
final class PluginProcess {
    /** A handshake line longer than this is not one. */
    private static final int MAX_HANDSHAKE_BYTES = 64 * 1024;

    private final Process process;
    private final PluginOutput output;
    private final CompletableFuture<String> handshake = new CompletableFuture<>();
    private final Thread stdoutReader;
    private final Thread stderrReader;

    private PluginProcess(Process process, PluginOutput output, String name) {
        this.process = process;
        this.output = output;
        this.stdoutReader = daemon(this::readStdout, "plugin-stdout-" + name);
        this.stderrReader = daemon(() -> readLines(process.getErrorStream(), ""), "plugin-stderr-" + name);
    }

    /**
     * Starts {@code command} with this JVM's environment, minus {@code unset}, plus {@code env}.
     */
    static PluginProcess spawn(List<String> command, Map<String, String> env, Set<String> unset,
                               PluginOutput output, String name) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().keySet().removeAll(unset);
        builder.environment().putAll(env);
        builder.redirectInput(ProcessBuilder.Redirect.PIPE);
        return new PluginProcess(builder.start(), output, name);
    }

    private static Thread daemon(Runnable body, String name) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private void readStdout() {
        InputStream in = process.getInputStream();
        try {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) >= 0 && b != '\n') {
                line.write(b);
                if (line.size() > MAX_HANDSHAKE_BYTES) {
                    break;
                }
            }
            if (b < 0 && line.size() == 0) {
                handshake.complete(null);
                return;
            }
            handshake.complete(line.toString(StandardCharsets.UTF_8));
            readLines(in, "stdout: ");
        } catch (IOException e) {
            handshake.complete(null);
        }
    }

    private void readLines(InputStream in, String prefix) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                output.add(prefix + line);
            }
        } catch (IOException e) {
            // the process is gone
        }
    }

    /**
     * Waits up to {@code wait} for the handshake line.
     *
     * @param startTimeout the start timeout the wait is part of, for the message
     * @throws IllegalStateException saying why there is none: the process exited (with its
     *     code) or closed its stdout, or the timeout passed
     */
    String awaitHandshake(Duration wait, Duration startTimeout) throws InterruptedException {
        String line;
        try {
            line = handshake.get(wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("no go-plugin handshake line on stdout within the start timeout of "
                    + startTimeout + "; the plugin is slow to start (raise startTimeout) or stuck before serving");
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot read the plugin's stdout: " + e.getCause(), e.getCause());
        }
        if (line == null) {
            OptionalInt exit = awaitExit(Duration.ofSeconds(2));
            throw new IllegalStateException(exit.isPresent()
                    ? "the plugin process exited with code " + exit.getAsInt() + " before its go-plugin handshake"
                    : "the plugin closed its stdout without printing a go-plugin handshake line");
        }
        return line;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** The exit code if the process has exited (and its output is read to the end). */
    OptionalInt exitCode() {
        return process.isAlive() ? OptionalInt.empty() : awaitExit(Duration.ofSeconds(1));
    }

    /**
     * Waits up to {@code timeout} for the process to exit, then for its output to be read to
     * the end (so that an error message shows its last words).
     *
     * @return the exit code, or empty if it is still running
     */
    OptionalInt awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                return OptionalInt.empty();
            }
            // a grandchild may hold the pipes open: bounded
            stderrReader.join(1000);
            stdoutReader.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return process.isAlive() ? OptionalInt.empty() : OptionalInt.of(process.exitValue());
        }
        return OptionalInt.of(process.exitValue());
    }

    /**
     * Kills the process and every descendant it started, and waits for it to be gone.
     *
     * @return {@code true} if it had to be killed, {@code false} if it had exited already
     */
    boolean kill() {
        if (!process.isAlive()) {
            return false;
        }
        // the descendants first: once the parent is gone they are no longer found through it
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return true;
    }
}
