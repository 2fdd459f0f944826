package io.ccf.ar.runtime.plugin;

import java.util.ArrayDeque;
import java.util.Deque;

/** The last lines a plugin wrote to stderr, for error messages ("the tail of stderr"). */
final class OutputTail {
    private final int capacity;
    private final Deque<String> lines = new ArrayDeque<>();

    OutputTail(int capacity) {
        this.capacity = capacity;
    }

    synchronized void add(String line) {
        if (lines.size() == capacity) {
            lines.removeFirst();
        }
        lines.addLast(line.length() > 500 ? line.substring(0, 500) + "..." : line);
    }

    /** Lines joined for a message, or a note that there were none. */
    synchronized String render() {
        if (lines.isEmpty()) {
            return "(stderr was empty)";
        }
        return "stderr tail:\n  " + String.join("\n  ", lines);
    }
}
