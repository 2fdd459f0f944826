package io.ccf.ar.runtime.registry.oci;

import java.util.Set;

/** Media types and annotations of the OCI image spec, Docker's v2 schema and ORAS's conventions. */
public final class OciMediaTypes {
    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    public static final String DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    public static final String OCI_EMPTY = "application/vnd.oci.empty.v1+json";
    public static final String LAYER_TAR_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
    public static final String DOCKER_LAYER_TAR_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip";
    /** Our artifact type, so registries and {@code oras discover} can tell plugin packages apart. */
    public static final String PLUGIN_ARTIFACT = "application/vnd.ccf.ar.plugin.v1";

    /** ORAS: the file or directory name a layer holds. */
    public static final String ANNOTATION_TITLE = "org.opencontainers.image.title";
    /** ORAS: "true" when the layer is a tar+gzip of a directory to unpack under its title. */
    public static final String ANNOTATION_UNPACK = "io.deis.oras.content.unpack";
    /** ORAS: the digest of the uncompressed tar of a directory layer. */
    public static final String ANNOTATION_CONTENT_DIGEST = "io.deis.oras.content.digest";

    public static final Set<String> MANIFESTS = Set.of(OCI_MANIFEST, DOCKER_MANIFEST);
    public static final Set<String> INDEXES = Set.of(OCI_INDEX, DOCKER_MANIFEST_LIST);
    public static final Set<String> GZIP_LAYERS = Set.of(LAYER_TAR_GZIP, DOCKER_LAYER_TAR_GZIP);

    /** What we accept when fetching a manifest by tag or digest. */
    public static final String MANIFEST_ACCEPT = String.join(", ", OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_MANIFEST_LIST);

    private OciMediaTypes() {
    }
}
