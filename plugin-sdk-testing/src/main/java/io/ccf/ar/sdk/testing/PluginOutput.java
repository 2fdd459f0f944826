package io.ccf.ar.sdk.testing;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * What a plugin logged: its stderr lines (PluginLog's hclog JSON and anything else) and what arrived
 * on its go-plugin stdio stream, in arrival order. Bounded: the oldest lines go first.
 */
final class PluginOutput {
    static final int MAX_LINES = 20_000;
    static final int TAIL_LINES = 20;

    private final Deque<String> lines = new ArrayDeque<>();
    private final PrintStream echo;
    private final String echoPrefix;
    private long dropped;

    /**
     * @param echo where to copy every line as it arrives, or {@code null}
     * @param echoPrefix what each copied line starts with
     */
    PluginOutput(PrintStream echo, String echoPrefix) {
        this.echo = echo;
        this.echoPrefix = echoPrefix;
    }

    void add(String line) {
        synchronized (this) {
            if (lines.size() == MAX_LINES) {
                lines.removeFirst();
                dropped++;
            }
            lines.addLast(line);
            notifyAll();
        }
        if (echo != null) {
            echo.println(echoPrefix + line);
        }
    }

    synchronized List<String> lines() {
        return List.copyOf(lines);
    }

    /** Waits until a line matches, at most {@code timeout}; empty if none did. */
    synchronized Optional<String> await(Predicate<String> match, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int checked = 0;
        long droppedBefore = dropped;
        while (true) {
            List<String> all = new ArrayList<>(lines);
            int from = Math.max(0, checked - (int) (dropped - droppedBefore));
            for (int i = from; i < all.size(); i++) {
                if (match.test(all.get(i))) {
                    return Optional.of(all.get(i));
                }
            }
            checked = all.size();
            droppedBefore = dropped;
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return Optional.empty();
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    /** The last lines, for error messages. */
    synchronized String tail() {
        if (lines.isEmpty()) {
            return "(the plugin wrote nothing to stderr)";
        }
        List<String> all = new ArrayList<>(lines);
        List<String> last = all.subList(Math.max(0, all.size() - TAIL_LINES), all.size());
        StringBuilder b = new StringBuilder("plugin stderr (last ").append(last.size()).append(" lines):");
        for (String line : last) {
            b.append("\n  ").append(line.length() > 1000 ? line.substring(0, 1000) + "..." : line);
        }
        return b.toString();
    }
}
