package io.ccf.ar.runtime.fleet;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Which runtimes hold a job set unlike the others'. The reference is the job set most runtimes hold (by digest);
 * every runtime with another digest differs. When no set is held by more runtimes than every other (two runtimes
 * that disagree, say), there is no reference and every runtime differs: the fleet does not agree, and nothing
 * says which side is right.
 */
public final class JobSetComparison {
    private final Optional<String> reference;
    private final Map<String, RuntimeStatus> byId;
    private final Set<String> differing;

    private JobSetComparison(Optional<String> reference, Map<String, RuntimeStatus> byId, Set<String> differing) {
        this.reference = reference;
        this.byId = byId;
        this.differing = differing;
    }

    public static JobSetComparison of(Collection<RuntimeStatus> runtimes) {
        Map<String, RuntimeStatus> byId = new LinkedHashMap<>();
        runtimes.forEach(r -> byId.put(r.runtimeId(), r));
        Map<String, Long> counts = byId.values().stream()
                .collect(Collectors.groupingBy(r -> String.valueOf(r.jobsDigest()), LinkedHashMap::new, Collectors.counting()));
        long top = counts.values().stream().mapToLong(Long::longValue).max().orElse(0);
        List<String> leaders = counts.entrySet().stream().filter(e -> e.getValue() == top).map(Map.Entry::getKey).toList();
        Optional<String> reference = leaders.size() == 1 ? Optional.of(leaders.get(0)) : Optional.empty();
        Set<String> differing = new TreeSet<>();
        if (counts.size() > 1) {
            byId.values().stream().filter(r -> reference.map(d -> !d.equals(String.valueOf(r.jobsDigest()))).orElse(true))
                    .forEach(r -> differing.add(r.runtimeId()));
        }
        return new JobSetComparison(reference, byId, differing);
    }

    public boolean agree() {
        return differing.isEmpty();
    }

    public boolean differs(String runtimeId) {
        return differing.contains(runtimeId);
    }

    public Set<String> differing() {
        return differing;
    }

    /** The digest most runtimes hold, if one set is held by more runtimes than any other. */
    public Optional<String> reference() {
        return reference;
    }

    /**
     * How a differing runtime's jobs differ from the reference set's, in words ("extra: a; missing: b; other
     * schedule or zone: c"); empty when there is no reference or a job list was cut short.
     */
    public Optional<String> describe(String runtimeId) {
        RuntimeStatus runtime = byId.get(runtimeId);
        if (runtime == null || reference.isEmpty() || !differs(runtimeId) || runtime.jobsTruncated()) {
            return Optional.empty();
        }
        Optional<RuntimeStatus> model = byId.values().stream()
                .filter(r -> reference.get().equals(r.jobsDigest()) && !r.jobsTruncated()).findFirst();
        if (model.isEmpty()) {
            return Optional.empty();
        }
        Map<String, RuntimeStatus.Job> mine = index(runtime.jobs());
        Map<String, RuntimeStatus.Job> theirs = index(model.get().jobs());
        List<String> parts = new ArrayList<>();
        List<String> extra = mine.keySet().stream().filter(id -> !theirs.containsKey(id)).sorted().toList();
        List<String> missing = theirs.keySet().stream().filter(id -> !mine.containsKey(id)).sorted().toList();
        List<String> changed = mine.keySet().stream().filter(id -> theirs.containsKey(id) && !mine.get(id).equals(theirs.get(id)))
                .sorted().toList();
        if (!extra.isEmpty()) {
            parts.add("extra " + String.join(", ", extra));
        }
        if (!missing.isEmpty()) {
            parts.add("missing " + String.join(", ", missing));
        }
        if (!changed.isEmpty()) {
            parts.add("other schedule or time zone: " + changed.stream()
                    .map(id -> id + " (" + mine.get(id).schedule() + " " + mine.get(id).timeZone() + " vs "
                            + theirs.get(id).schedule() + " " + theirs.get(id).timeZone() + ")")
                    .collect(Collectors.joining(", ")));
        }
        return parts.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", parts));
    }

    private static Map<String, RuntimeStatus.Job> index(List<RuntimeStatus.Job> jobs) {
        return jobs.stream().collect(Collectors.toMap(RuntimeStatus.Job::id, Function.identity(), (a, b) -> a));
    }
}
