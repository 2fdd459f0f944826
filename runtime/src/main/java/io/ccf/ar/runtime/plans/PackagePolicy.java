package io.ccf.ar.runtime.plans;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import io.ccf.ar.runtime.config.ActivitySpec;
import io.ccf.ar.runtime.config.PlanSpec;
import io.ccf.ar.runtime.config.TaskSpec;

/**
 * Which packages a plan arriving over the bus (a plan event, an ad-hoc plan in a request) may name:
 * {@code plans.allowedPackages} (exact names, and {@code *} globs such as {@code acme-*}) plus the packages
 * of config.yml's plugins, which are always allowed. With {@code allowedPackages} unset, the packages of
 * the plan files present at start take the list's place: the bus may re-send and re-schedule what an
 * operator (or the control plane) already placed here, but never bring a new package to run. Immutable.
 */
public final class PackagePolicy {
    /** The setting named in every refusal. */
    public static final String SETTING = "plans.allowedPackages";

    private final List<String> patterns;
    private final List<Pattern> compiled;
    private final String origin;

    private PackagePolicy(Collection<String> patterns, String origin) {
        this.patterns = List.copyOf(new LinkedHashSet<>(patterns));
        this.compiled = this.patterns.stream().map(PackagePolicy::glob).toList();
        this.origin = origin;
    }

    /** Everything is allowed (tests and embedders that have no policy). */
    public static PackagePolicy allowAll() {
        return new PackagePolicy(List.of("*"), "allow all");
    }

    /**
     * @param configured the packages of config.yml's plugins (always allowed)
     * @param listed     {@code plans.allowedPackages} when set
     * @param stored     the packages of the plan files at start: allowed only when {@code listed} is empty
     */
    public static PackagePolicy of(Collection<String> configured, Optional<List<String>> listed, Collection<String> stored) {
        List<String> all = new ArrayList<>(new TreeSet<>(configured));
        if (listed.isPresent()) {
            all.addAll(listed.get());
            return new PackagePolicy(all, SETTING + " and config.yml's plugins");
        }
        all.addAll(new TreeSet<>(stored));
        return new PackagePolicy(all, "config.yml's plugins and the plan files present at start ("
                + SETTING + " is not set)");
    }

    /** The packages a plan names, in order, once each. */
    public static Set<String> packagesOf(PlanSpec plan) {
        Set<String> packages = new LinkedHashSet<>();
        for (TaskSpec task : plan.tasks()) {
            for (ActivitySpec activity : task.activities()) {
                packages.add(activity.provider().packageName());
            }
        }
        return packages;
    }

    public boolean allows(String packageName) {
        return compiled.stream().anyMatch(p -> p.matcher(packageName).matches());
    }

    /** Whether every package may run (a {@code *} pattern): worth a WARN at start. */
    public boolean allowsEverything() {
        return patterns.contains("*");
    }

    public List<String> patterns() {
        return patterns;
    }

    /** For the start log line: where the list comes from. */
    public String origin() {
        return origin;
    }

    /**
     * @param what    "plan event" or "ad-hoc request", for the reason
     * @param outcome what did not happen: "not stored", "not run"
     * @throws MessageRejectedException naming the first package not allowed and the setting
     */
    public void check(PlanSpec plan, String eventType, String what, String outcome) {
        for (String packageName : packagesOf(plan)) {
            if (!allows(packageName)) {
                throw new MessageRejectedException(eventType, plan.id(), "package \"" + packageName + "\" of plan \""
                        + plan.id() + "\" is not allowed for a " + what + ": " + SETTING
                        + " (with config.yml's plugins) allows " + patterns + "; " + outcome);
            }
        }
    }

    /** {@code *} is any run of characters; everything else is literal. */
    private static Pattern glob(String pattern) {
        String[] parts = pattern.split("\\*", -1);
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) {
                regex.append(".*");
            }
            if (!parts[i].isEmpty()) {
                regex.append(Pattern.quote(parts[i]));
            }
        }
        return Pattern.compile(regex.toString());
    }

    @Override
    public String toString() {
        return patterns + " (" + origin + ")";
    }
}
