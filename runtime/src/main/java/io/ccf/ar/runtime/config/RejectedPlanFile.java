package io.ccf.ar.runtime.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/** A plan file that was skipped, and why; its problems carry its own file name. */
public record RejectedPlanFile(Path file, List<ConfigProblem> problems) {
    public RejectedPlanFile {
        Objects.requireNonNull(file, "file");
        problems = List.copyOf(problems);
    }
}
