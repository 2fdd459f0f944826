package io.ccf.ar.runtime.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Gathers problems while a source is read, so validation carries on after the first error.
 * Problems come back grouped by source and in line order, which is how a user reads them.
 */
final class ProblemCollector {
    private static final Comparator<ConfigProblem> BY_POSITION =
            Comparator.comparingInt(ConfigProblem::line).thenComparingInt(ConfigProblem::column);

    private final String source;
    private final List<ConfigProblem> problems = new ArrayList<>();

    ProblemCollector(String source) {
        this.source = source;
    }

    String source() {
        return source;
    }

    void add(Position at, String field, String message) {
        problems.add(ConfigProblem.at(source, at, field, message));
    }

    void add(ConfigProblem problem) {
        problems.add(problem);
    }

    boolean isEmpty() {
        return problems.isEmpty();
    }

    List<ConfigProblem> problems() {
        Map<String, List<ConfigProblem>> bySource = new LinkedHashMap<>();
        for (ConfigProblem p : problems) {
            bySource.computeIfAbsent(p.source(), s -> new ArrayList<>()).add(p);
        }
        List<ConfigProblem> ordered = new ArrayList<>(problems.size());
        for (List<ConfigProblem> group : bySource.values()) {
            group.sort(BY_POSITION); // stable: problems without a position keep their detection order
            ordered.addAll(group);
        }
        return List.copyOf(ordered);
    }

    void throwIfAny() {
        if (!problems.isEmpty()) {
            throw new ConfigException(problems());
        }
    }
}
