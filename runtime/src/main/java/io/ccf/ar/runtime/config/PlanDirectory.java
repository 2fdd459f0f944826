package io.ccf.ar.runtime.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Loads every plan file ({@code *.yml}, {@code *.yaml}) directly inside the assessments directory.
 * Files load in name order, so when two files share a plan id the first by name wins and the
 * other is rejected, naming both. Hidden files (editor backups, {@code ..data} links) are ignored.
 */
public final class PlanDirectory {
    private PlanDirectory() {
    }

    /** A missing directory means no plans (a fresh runtime has none yet), not an error. */
    public static PlanLoadResult load(Path directory) {
        if (!Files.exists(directory)) {
            return new PlanLoadResult(List.of(), List.of());
        }
        if (!Files.isDirectory(directory)) {
            return unreadable(directory, "is not a directory");
        }
        List<Path> files;
        try {
            files = planFiles(directory);
        } catch (IOException e) {
            return unreadable(directory, "cannot list plan directory: " + e);
        }
        List<PlanSpec> plans = new ArrayList<>();
        List<RejectedPlanFile> rejected = new ArrayList<>();
        Map<String, Path> fileByPlanId = new HashMap<>();
        for (Path file : files) {
            try {
                PlanSpecBinder.BoundPlan bound = PlanSpecBinder.readFile(file);
                Path first = fileByPlanId.putIfAbsent(bound.plan().id(), file);
                if (first != null) {
                    rejected.add(new RejectedPlanFile(file, List.of(ConfigProblem.at(file.toString(), bound.idPosition(),
                            "id", "duplicate plan id \"" + bound.plan().id() + "\": already defined in " + first))));
                } else {
                    plans.add(bound.plan());
                }
            } catch (ConfigException e) {
                rejected.add(new RejectedPlanFile(file, e.problems()));
            }
        }
        return new PlanLoadResult(plans, rejected);
    }

    private static PlanLoadResult unreadable(Path directory, String message) {
        ConfigProblem problem = new ConfigProblem(directory.toString(), 0, 0, "", message);
        return new PlanLoadResult(List.of(), List.of(new RejectedPlanFile(directory, List.of(problem))));
    }

    private static List<Path> planFiles(Path directory) throws IOException {
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.filter(PlanDirectory::isPlanFile).sorted().toList();
        }
    }

    private static boolean isPlanFile(Path path) {
        String name = path.getFileName().toString();
        return !name.startsWith(".") && (name.endsWith(".yml") || name.endsWith(".yaml")) && Files.isRegularFile(path);
    }
}
