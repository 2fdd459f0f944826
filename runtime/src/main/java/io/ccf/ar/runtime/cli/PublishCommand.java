package io.ccf.ar.runtime.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import io.ccf.ar.runtime.plugin.PackageRef;
import io.ccf.ar.runtime.registry.StaticRegistryTree;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ar publish PACKAGE@VERSION FILE --to DIR}: put one package version into a registry. */
@Command(name = "publish", mixinStandardHelpOptions = true,
        description = {"Publish FILE as PACKAGE@VERSION into a static registry tree DIR (served by",
                "`ar serve-registry DIR` or any web server): a .jar becomes <package>.jar, anything else the",
                "executable <package>; writes <file>.sha256 and updates <package>/index.json. A published version",
                "is never changed silently: other content for it is refused unless --overwrite."})
final class PublishCommand implements Callable<Integer> {
    @Mixin
    LogFormatOption logFormat;

    @Parameters(index = "0", paramLabel = "PACKAGE@VERSION")
    String target;

    @Parameters(index = "1", paramLabel = "FILE", description = "The plugin: a .jar or an executable.")
    Path file;

    @Option(names = "--to", required = true, paramLabel = "DIR",
            description = "Registry directory (created if missing). oci:// and oci+http:// references: not yet.")
    String to;

    @Option(names = "--overwrite", description = "Replace a published version that has other content.")
    boolean overwrite;

    @Override
    public Integer call() {
        logFormat.apply(System.getenv());
        PackageRef ref = PackageTarget.parse(target).ref();
        if (to.startsWith("oci://") || to.startsWith("oci+http://")) {
            return publishToOci(ref, file, to);
        }
        if (to.contains("://")) {
            throw new IllegalArgumentException("--to \"" + to + "\": expected a directory (a static registry tree) "
                    + "or an oci:// reference; HTTP registries are published to by writing their directory");
        }
        StaticRegistryTree tree = new StaticRegistryTree(Path.of(to));
        StaticRegistryTree.Published published = tree.publish(ref.name(), ref.version(), file, overwrite);
        String what = published.unchanged() ? "already published (same content) " : "published ";
        System.out.println(what + ref + " as " + published.path() + " (sha256 " + published.sha256() + ", "
                + published.size() + " bytes) in " + tree.root());
        if (!published.unchanged()) {
            System.out.println("wrote " + published.path() + ", " + published.path() + ".sha256, "
                    + ref.name() + "/" + StaticRegistryTree.INDEX_FILE);
        }
        return 0;
    }

    /** Placeholder until the OCI publisher is wired in: replace this method, nothing else depends on it. */
    private static int publishToOci(PackageRef ref, Path file, String reference) {
        System.err.println("ar: OCI publishing: not wired yet (cannot publish " + ref + " from " + file + " to "
                + reference + "); publish to a directory with --to DIR");
        return 2;
    }
}
