package io.ccf.ar.runtime.plans;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import io.ccf.ar.runtime.config.ConfigException;
import io.ccf.ar.runtime.config.ConfigProblem;
import io.ccf.ar.runtime.config.PlanDirectory;
import io.ccf.ar.runtime.config.PlanLoadResult;
import io.ccf.ar.runtime.config.PlanSpec;
import io.ccf.ar.runtime.config.RejectedPlanFile;
import io.ccf.ar.runtime.files.DurableFiles;

/**
 * The plan files in the assessments directory: the source of truth, so whatever arrives from the
 * control plane or NATS is written here first and survives a restart. Writes are atomic and durable
 * ({@link DurableFiles}), so a crash, a power cut or a concurrent {@link PlanDirectory#load} never
 * sees half a plan. Methods are synchronized: startup and the event listener may write at once.
 */
public final class PlanStore {
    /** New files are named {@code <id>.yaml}; the id must be a plain, visible file name. */
    private static final Pattern FILE_NAME_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,199}");
    private static final String HEADER =
            "# Written by the assessment runtime; an update of this plan replaces the whole file.\n";

    private final Path directory;

    public PlanStore(Path assessmentsDir) {
        this.directory = assessmentsDir;
    }

    public Path directory() {
        return directory;
    }

    /** Every plan on disk now (bad files are reported in the result, not thrown). */
    public synchronized PlanLoadResult plans() {
        return PlanDirectory.load(directory);
    }

    /**
     * Writes the plan to the file it already lives in (whatever its name), else to {@code <id>.yaml}.
     *
     * @return the plan as stored: its {@link PlanSpec#source()} is now its file, as after a reload
     * @throws ConfigException when a new file is needed and the id cannot be a file name, or
     *                         {@code <id>.yaml} already holds another plan
     */
    public synchronized PlanSpec put(PlanSpec plan) {
        PlanLoadResult current = PlanDirectory.load(directory);
        Path file = fileOf(current, plan.id()).orElseGet(() -> newFile(current, plan));
        writeAtomically(file, HEADER + PlanDocument.toYaml(plan));
        return new PlanSpec(plan.id(), plan.title(), plan.assessmentPlanId(), plan.componentId(), plan.controlId(),
                plan.tasks(), file.toString());
    }

    /**
     * Deletes the file of the plan, and any other file rejected only because it repeats the id (it
     * would otherwise take the plan's place on the next load).
     *
     * @return the files deleted; empty when no file holds this plan
     */
    public synchronized List<Path> remove(String planId) {
        PlanLoadResult current = PlanDirectory.load(directory);
        List<Path> files = new ArrayList<>();
        fileOf(current, planId).ifPresent(files::add);
        for (RejectedPlanFile rejected : current.rejected()) {
            if (holdsPlan(rejected.file(), planId)) {
                files.add(rejected.file());
            }
        }
        for (Path file : files) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot delete plan file " + file + ": " + e.getMessage(), e);
            }
        }
        if (!files.isEmpty()) {
            try {
                DurableFiles.syncDirectory(directory); // else a power cut can bring a deleted plan back
            } catch (IOException e) {
                throw new UncheckedIOException("cannot sync plan directory " + directory + ": " + e.getMessage(), e);
            }
        }
        return files;
    }

    /** Whether {@code <id>.yaml} is a safe name: no path separators, not hidden, no "..". */
    public static boolean isFileNameId(String planId) {
        return FILE_NAME_ID.matcher(planId).matches() && !planId.contains("..");
    }

    private static Optional<Path> fileOf(PlanLoadResult current, String planId) {
        return current.plans().stream().filter(p -> p.id().equals(planId)).findFirst().map(p -> Path.of(p.source()));
    }

    private Path newFile(PlanLoadResult current, PlanSpec plan) {
        if (!isFileNameId(plan.id())) {
            throw refused(plan, "\"" + plan.id() + "\" cannot name a plan file: use letters, digits, '.', '_' and '-'"
                    + " (starting with a letter or digit, no '..', at most 200 characters)");
        }
        Path file = directory.resolve(plan.id() + ".yaml");
        current.plans().stream().filter(p -> Path.of(p.source()).equals(file)).findFirst().ifPresent(other -> {
            throw refused(plan, file + " already holds plan \"" + other.id() + "\"; rename that file to store this one");
        });
        return file;
    }

    private static ConfigException refused(PlanSpec plan, String message) {
        return new ConfigException(new ConfigProblem(plan.source(), 0, 0, "id", message));
    }

    /** A file rejected at load that, read alone, is this plan: a duplicate of it. */
    private static boolean holdsPlan(Path file, String planId) {
        try {
            return PlanSpec.fromFile(file).id().equals(planId);
        } catch (ConfigException e) {
            return false; // unreadable on its own: not ours to delete
        }
    }

    private void writeAtomically(Path file, String content) {
        try {
            // plugin configuration may hold secrets: 0600 (also when replacing a more open file), directory 0700
            DurableFiles.writePrivately(file, content.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write plan file " + file + ": " + e.getMessage(), e);
        }
    }
}
