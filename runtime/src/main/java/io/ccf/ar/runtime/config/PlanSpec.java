package io.ccf.ar.runtime.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An assessment plan (the original runtime's JobSpec): one YAML file in assessmentsDir, or a
 * document received from the control plane. Keys: {@code id}, {@code title},
 * {@code assessment-plan-id}, {@code component-id}, {@code control-id}, {@code tasks}.
 *
 * @param source where it came from: the file path, or a label such as {@code NATS runtime.configuration}
 */
public record PlanSpec(String id, String title, String assessmentPlanId, String componentId, String controlId,
        List<TaskSpec> tasks, String source) {
    public PlanSpec {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(assessmentPlanId, "assessmentPlanId");
        Objects.requireNonNull(componentId, "componentId");
        Objects.requireNonNull(controlId, "controlId");
        Objects.requireNonNull(source, "source");
        tasks = List.copyOf(tasks);
    }

    /** Reads and validates one plan file; every problem found is in the exception. */
    public static PlanSpec fromFile(Path file) {
        return PlanSpecBinder.readFile(file).plan();
    }

    /**
     * Validates an already-decoded document (e.g. JSON from the event bus) with the same rules as a
     * file. Problems name {@code sourceLabel} instead of a file and carry no line numbers.
     */
    public static PlanSpec fromMap(Map<String, ?> document, String sourceLabel) {
        ProblemCollector problems = new ProblemCollector(sourceLabel);
        PlanSpec plan = PlanSpecBinder.bind(ObjectTreeConverter.convert(document, sourceLabel), problems).plan();
        problems.throwIfAny();
        return plan;
    }
}
