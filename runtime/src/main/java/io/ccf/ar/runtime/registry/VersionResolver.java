package io.ccf.ar.runtime.registry;

import io.ccf.ar.runtime.plugin.PackageLayout;
import io.ccf.ar.runtime.plugin.PackageRef;
import io.ccf.ar.runtime.version.VersionRequirement;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a version field into the one version to install and run. A range resolves to the highest
 * matching version among those the registry offers (its index.json, or its tags for OCI) and those
 * already installed; when the registry cannot be asked (down, no index) the installed versions alone
 * decide, with a warning. So a restart with the registry down keeps running what it ran before.
 */
public final class VersionResolver {
    private static final Logger log = LoggerFactory.getLogger(VersionResolver.class);

    /** The version chosen, and the digest its content must have when the requirement pinned one. */
    public record Resolved(PackageRef ref, Optional<String> pinnedDigest) {
    }

    private final PackageLayout layout;
    private final Optional<PackageSource> source;

    public VersionResolver(PackageLayout layout, Optional<PackageSource> source) {
        this.layout = layout;
        this.source = source;
    }

    /** Throws RegistryException (no version matches) or IllegalArgumentException (not a version field). */
    public Resolved resolve(String packageName, String versionField) {
        VersionRequirement requirement = VersionRequirement.parse(versionField);
        if (requirement instanceof VersionRequirement.Exact exact) {
            return new Resolved(new PackageRef(packageName, exact.version()), Optional.empty());
        }
        if (requirement instanceof VersionRequirement.Pinned pinned) {
            return new Resolved(new PackageRef(packageName, pinned.version()), Optional.of(pinned.digest()));
        }
        VersionRequirement.Range range = (VersionRequirement.Range) requirement;
        Set<String> candidates = new LinkedHashSet<>();
        String offered = "";
        if (source.isPresent()) {
            try {
                List<String> published = source.get().versions(packageName);
                candidates.addAll(published);
                offered = "the registry offers " + (published.isEmpty() ? "none" : published);
            } catch (RegistryException e) {
                log.atWarn().addKeyValue("package", packageName).addKeyValue("version", versionField)
                        .log("cannot list versions in the registry, choosing among installed ones: {}", e.getMessage());
                offered = "the registry could not be asked (" + e.getMessage() + ")";
            }
        }
        List<String> installed = new ArrayList<>();
        for (PackageRef ref : layout.installed()) {
            if (ref.name().equals(packageName)) {
                installed.add(ref.version());
            }
        }
        candidates.addAll(installed);
        Optional<String> chosen = range.range().highest(candidates);
        if (chosen.isEmpty()) {
            String why = (offered.isEmpty() ? "no registry is configured" : offered)
                    + "; installed: " + (installed.isEmpty() ? "none" : installed);
            throw new RegistryException(null, source.map(PackageSource::location).orElse(null),
                    "no version of package " + packageName + " matches \"" + versionField + "\": " + why);
        }
        return new Resolved(new PackageRef(packageName, chosen.get()), Optional.empty());
    }
}
