package io.ccf.ar.runtime.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

import io.ccf.ar.runtime.config.RegistrySettings;
import io.ccf.ar.runtime.plugin.PackageRef;
import io.ccf.ar.runtime.registry.IndexSignature;
import io.ccf.ar.runtime.registry.RegistryAccess;
import io.ccf.ar.runtime.registry.DownloaderOptions;
import io.ccf.ar.runtime.registry.OciPackagePublisher;
import io.ccf.ar.runtime.registry.StaticRegistryTree;
import io.ccf.ar.runtime.registry.oci.OciPlatform;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ar publish PACKAGE@VERSION FILE --to DIR}: put one package version into a registry. */
@Command(name = "publish", mixinStandardHelpOptions = true,
        description = {"Publish FILE as PACKAGE@VERSION into a static registry tree DIR (served by",
                "`ar serve-registry DIR` or any web server): a .jar becomes <package>.jar, anything else the",
                "executable <package>; writes <file>.sha256 and updates <package>/index.json. A published version",
                "is never changed silently: other content for it is refused unless --overwrite.",
                "With --to oci://HOST/REPO, pushes FILE (or a directory holding it) as the artifact REPO/PACKAGE:VERSION",
                "and prints the digest to pin (version: VERSION@sha256:...)."})
final class PublishCommand implements Callable<Integer> {
    @Mixin
    LogFormatOption logFormat;

    @Parameters(index = "0", paramLabel = "PACKAGE@VERSION")
    String target;

    @Parameters(index = "1", paramLabel = "FILE", description = "The plugin: a .jar or an executable.")
    Path file;

    @Option(names = "--to", required = true, paramLabel = "DIR",
            description = "Registry directory (created if missing), or an OCI registry oci://HOST[:PORT]/REPO (oci+http:// for plain HTTP).")
    String to;

    @Option(names = "--overwrite", description = "Replace a published version that has other content (static trees).")
    boolean overwrite;

    @Option(names = "--platform", paramLabel = "OS/ARCH",
            description = "OCI only: publish for this platform (e.g. linux/arm64); the tag becomes an index of platforms.")
    String platform;

    @Option(names = "--sign-key", paramLabel = "FILE",
            description = "Static trees: Ed25519 private key (from `ar keygen`) to sign <package>/index.json with"
                    + " (writes index.json.sig; runtimes with registry.trustedKeys require it).")
    Path signKey;

    @Option(names = "--expires-in", paramLabel = "DURATION", converter = ExpiresInConverter.class,
            description = "With --sign-key: the signed index expires this long from now (30d, 720h); runtimes refuse"
                    + " it afterwards, so a registry cannot freeze them on an old index. Default: never.")
    java.time.Duration expiresIn;

    @Option(names = "--username", paramLabel = "USER", description = "OCI: user name for the registry (with --password-file).")
    String username;

    @Option(names = "--password-file", paramLabel = "FILE", description = "OCI: file holding the password for --username.")
    Path passwordFile;

    @Option(names = "--docker-config", paramLabel = "FILE",
            description = "OCI: Docker config.json with credentials (default: $DOCKER_CONFIG/config.json or ~/.docker/config.json).")
    Path dockerConfig;

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
        StaticRegistryTree tree = new StaticRegistryTree(Path.of(to),
                signKey == null ? null : IndexSignature.readPrivateKey(signKey), expiresIn, java.time.Clock.systemUTC());
        StaticRegistryTree.Published published = tree.publish(ref.name(), ref.version(), file, overwrite);
        String what = published.unchanged() ? "already published (same content) " : "published ";
        System.out.println(what + ref + " as " + published.path() + " (sha256 " + published.sha256() + ", "
                + published.size() + " bytes) in " + tree.root());
        if (!published.unchanged()) {
            System.out.println("wrote " + published.path() + ", " + published.path() + ".sha256, "
                    + ref.name() + "/" + StaticRegistryTree.INDEX_FILE
                    + (signKey == null ? "" : ", " + ref.name() + "/" + IndexSignature.SIGNATURE_FILE));
        }
        return 0;
    }

    /**
     * Pushes the version directory (FILE itself when it is a directory, else a temporary one holding FILE under
     * the name the runtime looks for) and prints the digest a plan can pin.
     */
    private int publishToOci(PackageRef ref, Path file, String reference) {
        Optional<OciPlatform> target = platform == null ? Optional.empty() : Optional.of(OciPlatform.parse(platform));
        if (signKey != null || expiresIn != null) {
            throw new IllegalArgumentException("--sign-key and --expires-in are for static registry indexes; an OCI"
                    + " artifact is pinned by its digest");
        }
        if ((username == null) != (passwordFile == null)) {
            throw new IllegalArgumentException("--username and --password-file go together");
        }
        RegistrySettings settings = new RegistrySettings(Optional.ofNullable(dockerConfig),
                username == null ? "" : username, Optional.ofNullable(passwordFile), Optional.empty(), List.of());
        OciPackagePublisher publisher = new OciPackagePublisher(URI.create(reference), DownloaderOptions.defaults(),
                RegistryAccess.from(settings, URI.create(reference), System.getenv()));
        String digest;
        if (Files.isDirectory(file)) {
            digest = publisher.publish(ref, file, target);
        } else {
            Path staging = null;
            try {
                staging = Files.createTempDirectory("ar-publish-");
                boolean jar = file.getFileName().toString().endsWith(".jar");
                Path staged = staging.resolve(jar ? ref.name() + ".jar" : ref.name());
                Files.copy(file, staged);
                if (!jar && !staged.toFile().setExecutable(true, false)) {
                    throw new IllegalStateException("cannot make " + staged + " executable");
                }
                digest = publisher.publish(ref, staging, target);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot stage " + file + " for publishing: " + e.getMessage(), e);
            } finally {
                deleteQuietly(staging);
            }
        }
        System.out.println("published " + ref + " to " + reference + " (digest " + digest + "); pin it with version: "
                + ref.version() + "@" + digest);
        return 0;
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp directory left behind is harmless
        }
    }
}
