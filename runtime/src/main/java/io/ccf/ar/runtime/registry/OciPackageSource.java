package io.ccf.ar.runtime.registry;

import io.ccf.ar.runtime.plugin.PackageRef;
import io.ccf.ar.runtime.registry.oci.ManifestResolver;
import io.ccf.ar.runtime.registry.oci.OciDescriptor;
import io.ccf.ar.runtime.registry.oci.OciDigest;
import io.ccf.ar.runtime.registry.oci.OciLocation;
import io.ccf.ar.runtime.registry.oci.OciMediaTypes;
import io.ccf.ar.runtime.registry.oci.OciPlatform;
import io.ccf.ar.runtime.registry.oci.OciRegistryError;
import io.ccf.ar.runtime.registry.oci.RegistryClient;
import io.ccf.ar.runtime.registry.oci.SafeTarExtractor;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Package versions from an OCI distribution registry: with {@code pluginRegistryURL = oci://host[:port]/repo},
 * package {@code sample} version {@code 1.0.0} is the artifact {@code host[:port]/repo/sample:1.0.0}.
 *
 * <p>Scheme rule: {@code oci://} uses HTTPS, except for loopback hosts (localhost, 127.0.0.1, ::1), which use
 * plain HTTP as Docker does; {@code oci+http://} forces plain HTTP.
 *
 * <p>Artifact format (ORAS's, so {@code oras push host/repo/sample:1.0.0 ./1.0.0/} publishes a package): an
 * image manifest whose layers are a tar+gzip of the version directory's files (annotated with
 * {@code org.opencontainers.image.title} and {@code io.deis.oras.content.unpack}, the files under
 * {@code <title>/}), or single files named by their title annotation. A tag may name an image index: the
 * entry for this machine's platform is used, and an entry without platform fits any machine (Java plugins).
 *
 * <p>Trust: a pinned digest is the manifest (or index) digest and is pulled by digest, so the bytes must hash
 * to it; every child manifest and blob is checked against its descriptor's digest and size before use, and
 * layers are unpacked by {@link SafeTarExtractor} within {@code maxBodyBytes}.
 */
public final class OciPackageSource implements PackageSource {
    private static final Pattern PLAIN_FILE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]*");
    private static final String DOWNLOAD_FILE = ".oci-layer.download";

    private final OciLocation location;
    private final DownloaderOptions options;
    private final RegistryClient client;
    private final ManifestResolver resolver;

    public OciPackageSource(URI location, DownloaderOptions options) {
        this(location, options, OciPlatform.current());
    }

    /** With credentials for the registry ({@link RegistryAccess#credentials()}). */
    public OciPackageSource(URI location, DownloaderOptions options, RegistryAccess access) {
        this(location, options, OciPlatform.current(), access);
    }

    /** With an explicit platform, for choosing from image indexes as another machine would. */
    public OciPackageSource(URI location, DownloaderOptions options, OciPlatform platform) {
        this(location, options, platform, RegistryAccess.ANONYMOUS);
    }

    public OciPackageSource(URI location, DownloaderOptions options, OciPlatform platform, RegistryAccess access) {
        this.location = OciLocation.parse(location);
        this.options = options == null ? DownloaderOptions.defaults() : options;
        this.client = new RegistryClient(this.location, this.options,
                (access == null ? RegistryAccess.ANONYMOUS : access).credentials());
        this.resolver = new ManifestResolver(client, Objects.requireNonNull(platform, "platform"));
    }

    @Override
    public URI location() {
        return location.location();
    }

    @Override
    public List<String> versions(String packageName) {
        try {
            return client.tags(location.repositoryOf(packageName));
        } catch (OciRegistryError e) {
            throw new RegistryException(null, e.url(), "cannot list the versions (tags) of package " + packageName
                    + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new RegistryException(null, location.location(), e.getMessage(), e);
        }
    }

    @Override
    public FetchedPackage fetch(PackageRef ref, Optional<String> pinnedDigest, Path dir) {
        Objects.requireNonNull(ref, "ref");
        Objects.requireNonNull(dir, "dir");
        String repository;
        try {
            repository = location.repositoryOf(ref.name());
            pinnedDigest.ifPresent(d -> OciDigest.require("pinned digest", d));
        } catch (IllegalArgumentException e) {
            throw new RegistryException(ref, location.location(), e.getMessage(), e);
        }
        String reference = pinnedDigest.orElse(ref.version());
        URI artifact = location.reference(ref.name(), reference);
        try {
            ManifestResolver.Resolved resolved = resolver.resolve(repository, reference);
            long budget = options.maxBodyBytes();
            for (OciDescriptor layer : resolved.layers()) {
                budget -= layer.size();
                if (budget < 0) {
                    throw new RegistryException(ref, artifact, "layers add up to more than the limit of "
                            + options.maxBodyBytes() + " bytes");
                }
                install(repository, layer, dir, ref, artifact);
            }
            String file = runnableFile(ref, dir, artifact);
            return new FetchedPackage(file, TreeFiles.sha256Hex(dir.resolve(file)), artifact, resolved.top().digest());
        } catch (OciRegistryError e) {
            throw new RegistryException(ref, e.url(), describe(e, ref, reference, repository), e);
        } catch (IOException e) {
            throw new RegistryException(ref, artifact, "cannot unpack into " + dir + ": " + e.getMessage(), e);
        }
    }

    private static String describe(OciRegistryError e, PackageRef ref, String reference, String repository) {
        if (e.kind() == OciRegistryError.Kind.NOT_FOUND && e.getMessage().startsWith("manifest ")) {
            return "not found in registry: no " + (OciDigest.isDigest(reference) ? "manifest " : "tag ") + reference
                    + " in repository " + repository + " (HTTP 404)";
        }
        return e.getMessage();
    }

    /** Unpacks a tar+gzip layer, or stores a single-file layer under its title. */
    private void install(String repository, OciDescriptor layer, Path dir, PackageRef ref, URI artifact) throws IOException {
        String title = layer.annotation(OciMediaTypes.ANNOTATION_TITLE);
        boolean unpack = "true".equalsIgnoreCase(layer.annotation(OciMediaTypes.ANNOTATION_UNPACK));
        if (unpack || (OciMediaTypes.GZIP_LAYERS.contains(layer.mediaType()) && title == null)) {
            Path download = dir.resolve(DOWNLOAD_FILE);
            try {
                client.blob(repository, layer, download, options.maxBodyBytes());
                Optional<String> prefix = Optional.ofNullable(title).map(t -> t.replaceAll("^(\\./)+", "").replaceAll("/+$", ""))
                        .filter(t -> !t.isEmpty() && !t.equals("."));
                new SafeTarExtractor(options.maxBodyBytes()).extract(download, dir, prefix);
            } catch (SafeTarExtractor.UnsafeArchiveException e) {
                throw new RegistryException(ref, artifact, "refusing layer " + layer.digest() + ": " + e.getMessage(), e);
            } finally {
                Files.deleteIfExists(download);
            }
            return;
        }
        if (title == null || !PLAIN_FILE.matcher(title).matches() || title.contains("..")) {
            throw new RegistryException(ref, artifact, "layer " + layer.digest() + " (" + layer.mediaType()
                    + ") is neither a tar+gzip to unpack nor a file with a plain name in "
                    + OciMediaTypes.ANNOTATION_TITLE + (title == null ? "" : " (got \"" + title + "\")"));
        }
        Path target = dir.resolve(title);
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new RegistryException(ref, artifact, "two layers both provide " + title);
        }
        client.blob(repository, layer, target, options.maxBodyBytes());
    }

    /** {@code <package>} (made executable) or {@code <package>.jar}, as the plugin host looks for them. */
    private static String runnableFile(PackageRef ref, Path dir, URI artifact) throws IOException {
        Path executable = dir.resolve(ref.name());
        if (Files.isRegularFile(executable, LinkOption.NOFOLLOW_LINKS)) {
            if (!Files.isExecutable(executable) && !executable.toFile().setExecutable(true, false)) {
                throw new IOException("cannot make " + executable + " executable");
            }
            return ref.name();
        }
        if (Files.isRegularFile(dir.resolve(ref.name() + ".jar"), LinkOption.NOFOLLOW_LINKS)) {
            return ref.name() + ".jar";
        }
        List<String> found;
        try (var files = Files.list(dir)) {
            found = files.map(p -> p.getFileName().toString()).sorted().toList();
        }
        throw new RegistryException(ref, artifact, "artifact holds no " + ref.name() + " or " + ref.name()
                + ".jar (it holds: " + (found.isEmpty() ? "nothing" : String.join(", ", found)) + ")");
    }
}
