package io.ccf.ar.runtime.registry;

import io.ccf.ar.runtime.json.JsonMappers;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ccf.ar.runtime.plugin.PackageRef;
import io.ccf.ar.runtime.registry.oci.OciDescriptor;
import io.ccf.ar.runtime.registry.oci.OciDigest;
import io.ccf.ar.runtime.registry.oci.OciLocation;
import io.ccf.ar.runtime.registry.oci.OciMediaTypes;
import io.ccf.ar.runtime.registry.oci.OciPlatform;
import io.ccf.ar.runtime.registry.oci.OciRegistryError;
import io.ccf.ar.runtime.registry.oci.RegistryClient;
import io.ccf.ar.runtime.registry.oci.TarGzWriter;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Publishes a package version directory to an OCI registry as {@code <repo>/<package>:<version>}, in the
 * format {@link OciPackageSource} (and {@code oras pull}) reads: one tar+gzip layer of the directory's files
 * under {@code <version>/}, annotated as ORAS annotates a pushed directory, an empty config and our artifact type.
 *
 * <p>Without a platform the tag names that manifest (right for Java plugins). With a platform (a Go plugin
 * built for linux/arm64, say) the manifest is pushed by digest and the tag becomes an image index whose entry
 * for that platform is added or replaced, so publishing once per platform builds a multi-platform package.
 */
public final class OciPackagePublisher {
    private static final ObjectMapper JSON = JsonMappers.COMPACT;
    private static final byte[] EMPTY_CONFIG = "{}".getBytes(StandardCharsets.UTF_8);

    private final OciLocation location;
    private final RegistryClient client;

    public OciPackagePublisher(URI location, DownloaderOptions options) {
        this(location, options, RegistryAccess.ANONYMOUS);
    }

    /** With credentials for the registry (pushing usually needs them). */
    public OciPackagePublisher(URI location, DownloaderOptions options, RegistryAccess access) {
        this.location = OciLocation.parse(location);
        this.client = new RegistryClient(this.location, options == null ? DownloaderOptions.defaults() : options,
                (access == null ? RegistryAccess.ANONYMOUS : access).credentials());
    }

    /**
     * Pushes versionDir as ref and returns the digest the tag now points at (the manifest's, or the index's
     * when a platform is given): the digest to pin with {@code version: 1.0.0@sha256:...}.
     */
    public String publish(PackageRef ref, Path versionDir, Optional<OciPlatform> platform) {
        Objects.requireNonNull(ref, "ref");
        URI target = location.reference(ref.name(), ref.version());
        if (!Files.isRegularFile(versionDir.resolve(ref.name())) && !Files.isRegularFile(versionDir.resolve(ref.name() + ".jar"))) {
            throw new RegistryException(ref, target, versionDir + " holds no " + ref.name() + " or " + ref.name()
                    + ".jar: nothing the runtime could run");
        }
        Path layerFile = null;
        try {
            String repository = location.repositoryOf(ref.name());
            layerFile = Files.createTempFile("ar-oci-layer-", ".tar.gz");
            MessageDigest sha = OciDigest.newSha256();
            try (OutputStream out = new DigestOutputStream(Files.newOutputStream(layerFile), sha)) {
                TarGzWriter.write(versionDir, ref.version(), out);
            }
            Map<String, String> annotations = new LinkedHashMap<>();
            annotations.put(OciMediaTypes.ANNOTATION_TITLE, ref.version());
            annotations.put(OciMediaTypes.ANNOTATION_UNPACK, "true");
            OciDescriptor layer = new OciDescriptor(OciMediaTypes.LAYER_TAR_GZIP, OciDigest.of(sha), Files.size(layerFile),
                    annotations, Optional.empty());
            OciDescriptor config = new OciDescriptor(OciMediaTypes.OCI_EMPTY, OciDigest.of(EMPTY_CONFIG), EMPTY_CONFIG.length);

            Path upload = layerFile;
            client.pushBlob(repository, config, () -> HttpRequest.BodyPublishers.ofByteArray(EMPTY_CONFIG));
            client.pushBlob(repository, layer, () -> {
                try {
                    return HttpRequest.BodyPublishers.ofFile(upload);
                } catch (IOException e) {
                    throw new OciRegistryError(OciRegistryError.Kind.INVALID, target, "cannot read " + upload, e);
                }
            });
            byte[] manifest = manifest(config, layer);
            if (platform.isEmpty()) {
                return client.pushManifest(repository, ref.version(), OciMediaTypes.OCI_MANIFEST, manifest);
            }
            String manifestDigest = client.pushManifest(repository, OciDigest.of(manifest), OciMediaTypes.OCI_MANIFEST, manifest);
            OciDescriptor entry = new OciDescriptor(OciMediaTypes.OCI_MANIFEST, manifestDigest, manifest.length, Map.of(),
                    platform);
            byte[] index = index(existingIndex(repository, ref.version()), entry);
            return client.pushManifest(repository, ref.version(), OciMediaTypes.OCI_INDEX, index);
        } catch (OciRegistryError e) {
            throw new RegistryException(ref, e.url(), "publishing failed: " + e.getMessage(), e);
        } catch (IOException | IllegalArgumentException e) {
            throw new RegistryException(ref, target, "publishing failed: " + e.getMessage(), e);
        } finally {
            if (layerFile != null) {
                try {
                    Files.deleteIfExists(layerFile);
                } catch (IOException ignored) {
                    // a temp file left behind is harmless
                }
            }
        }
    }

    private static byte[] manifest(OciDescriptor config, OciDescriptor layer) throws IOException {
        ObjectNode m = JSON.createObjectNode();
        m.put("schemaVersion", 2);
        m.put("mediaType", OciMediaTypes.OCI_MANIFEST);
        m.put("artifactType", OciMediaTypes.PLUGIN_ARTIFACT);
        m.set("config", descriptorJson(config));
        m.putArray("layers").add(descriptorJson(layer));
        return JSON.writeValueAsBytes(m);
    }

    /** The tag's current index, if it is one, so other platforms' entries survive. */
    private Optional<JsonNode> existingIndex(String repository, String tag) {
        try {
            RegistryClient.FetchedManifest current = client.manifest(repository, tag);
            JsonNode json = current.json();
            return json.has("manifests") ? Optional.of(json) : Optional.empty();
        } catch (OciRegistryError e) {
            if (e.kind() == OciRegistryError.Kind.NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private static byte[] index(Optional<JsonNode> existing, OciDescriptor entry) throws IOException {
        ObjectNode idx = JSON.createObjectNode();
        idx.put("schemaVersion", 2);
        idx.put("mediaType", OciMediaTypes.OCI_INDEX);
        idx.put("artifactType", OciMediaTypes.PLUGIN_ARTIFACT);
        ArrayNode manifests = idx.putArray("manifests");
        OciPlatform p = entry.platform().orElseThrow();
        existing.ifPresent(old -> old.path("manifests").forEach(m -> {
            boolean samePlatform = m.path("platform").path("os").asText().equals(p.os())
                    && m.path("platform").path("architecture").asText().equals(p.architecture());
            if (!samePlatform) {
                manifests.add(m);
            }
        }));
        manifests.add(descriptorJson(entry));
        return JSON.writeValueAsBytes(idx);
    }

    private static ObjectNode descriptorJson(OciDescriptor d) {
        ObjectNode node = JSON.createObjectNode();
        node.put("mediaType", d.mediaType()).put("digest", d.digest()).put("size", d.size());
        if (!d.annotations().isEmpty()) {
            ObjectNode a = node.putObject("annotations");
            d.annotations().forEach(a::put);
        }
        d.platform().ifPresent(p -> node.putObject("platform").put("architecture", p.architecture()).put("os", p.os()));
        return node;
    }
}
