package io.ccf.ar.runtime.config;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The {@code plans} section: what the bus (plan events on {@code runtime.configuration}, ad-hoc requests on
 * {@code runtime.assessment.request}) may make this runtime run.
 *
 * @param events          false: the runtime does not subscribe to plan events (default true)
 * @param requests        false: the runtime does not answer ad-hoc requests (default true)
 * @param allowedPackages package names or {@code *} globs ({@code acme-*}, {@code *}) that events and ad-hoc plans
 *                        may name, besides the packages of config.yml's plugins, which are always allowed. Empty
 *                        (unset): only those and the packages of the plan files present at start
 */
public record PlanPolicySettings(boolean events, boolean requests, Optional<List<String>> allowedPackages) {
    /** A package name ({@link FieldChecks#plainName}'s characters) where {@code *} stands for any run of them. */
    public static final Pattern PATTERN = Pattern.compile("[A-Za-z0-9._+*-]+");
    public static final PlanPolicySettings DEFAULTS = new PlanPolicySettings(true, true, Optional.empty());

    public PlanPolicySettings {
        Objects.requireNonNull(allowedPackages, "allowedPackages");
        allowedPackages = allowedPackages.map(List::copyOf);
        allowedPackages.ifPresent(list -> list.forEach(p -> {
            if (!PATTERN.matcher(p).matches()) {
                throw new IllegalArgumentException("not a package name or * pattern: \"" + p + "\"");
            }
        }));
    }
}
