package io.ccf.ar.runtime.run;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import io.ccf.ar.proto.Subject;

/**
 * Which of the subjects Evaluate returned a run executes: all of them ({@link #ALL}, every scheduled or
 * {@code run-once} run), or those with the ids given ({@code ar run-plugin --subject ID}).
 *
 * @param ids the subject ids to execute, in the order given; empty means all
 */
public record SubjectSelection(List<String> ids) {
    public static final SubjectSelection ALL = new SubjectSelection(List.of());

    public SubjectSelection {
        ids = List.copyOf(new LinkedHashSet<>(ids));
    }

    /**
     * The subjects to execute, in Evaluate's order.
     *
     * @throws IllegalArgumentException when an id asked for is not among the subjects, naming the ids Evaluate returned
     */
    public List<Subject> select(List<Subject> subjects) {
        if (ids.isEmpty()) {
            return subjects;
        }
        Set<String> returned = subjects.stream().map(Subject::getId).collect(Collectors.toCollection(LinkedHashSet::new));
        List<String> unknown = ids.stream().filter(id -> !returned.contains(id)).toList();
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("no subject " + String.join(", ", unknown.stream().map(id -> "\"" + id + "\"").toList())
                    + " among the " + subjects.size() + " subject(s) Evaluate returned: "
                    + (returned.isEmpty() ? "none" : String.join(", ", returned)));
        }
        Set<String> wanted = Set.copyOf(ids);
        return subjects.stream().filter(s -> wanted.contains(s.getId())).toList();
    }
}
